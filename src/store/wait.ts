/**
 * Starting before the database is there: `crier serve` and `crier worker`
 * do not exit when it cannot be reached (a PostgreSQL still starting, a
 * network not yet up), they try again with backoff, saying so in the log,
 * until it answers and is migrated, or until they are told to stop.
 */
import { sql } from 'kysely';
import { type Db, migrate, openDatabase } from './db.ts';
import { databaseFault, faultCheck } from './faults.ts';

interface WaitLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface WaitOptions {
  log: WaitLog;
  /** Stops the wait (SIGTERM): the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Told why the database is not there yet, after each failed attempt, as /readyz words it. */
  onWaiting?: (reason: string) => void;
  /** The longest pause between attempts (ms); they start at a quarter second and double. */
  maxDelayMs?: number;
}

export class DatabaseWaitAborted extends Error {}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new DatabaseWaitAborted('stopped while waiting for the database'));
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener('abort', stop);
      resolve();
    }
    function stop() {
      clearTimeout(timer);
      reject(new DatabaseWaitAborted('stopped while waiting for the database'));
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/**
 * Opens the database at `url`, waits until it answers, and migrates it. A failure that is not the
 * database's absence (a migration that fails, a malformed URL) is thrown at once.
 */
export async function waitForDatabase(
  url: string,
  options: WaitOptions & { open?: { log?: WaitLog } },
): Promise<Db> {
  const { log, signal, onWaiting } = options;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let db: Db | undefined;
    try {
      db = openDatabase(url, { ...(options.open?.log && { log: options.open.log }) });
      await sql`select 1`.execute(db);
      await migrate(db);
      if (attempt > 1)
        log.info({ attempt, waited_ms: Date.now() - started }, 'the database answers; starting');
      return db;
    } catch (err) {
      await db?.destroy().catch(() => {});
      const fault = databaseFault(err);
      if (!fault) throw err;
      const delay = Math.min(maxDelay, 250 * 2 ** (attempt - 1));
      const retryIn = Math.round(delay * (0.8 + Math.random() * 0.4));
      onWaiting?.(faultCheck(fault));
      log.warn(
        { attempt, retry_in_ms: retryIn, cause: fault.cause },
        'the database cannot be reached; waiting',
      );
      await pause(retryIn, signal);
    }
  }
}
