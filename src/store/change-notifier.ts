/**
 * Several Crier processes on one PostgreSQL: each process announces its
 * changes with NOTIFY and listens for the others', and publishes theirs on
 * its own change bus marked `remote`, so every node's status page refreshes
 * and its channels follow a new plan whichever node took the write. One
 * dedicated connection listens; it reconnects after a drop and calls
 * `onReconnect` then, since a change may have been missed while it was away.
 * The same channel carries "a job was queued", so a worker in another process
 * starts on it at once rather than at its next poll (up to a second later).
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { type ChangeBus, type ChangeEvent, isChangeKind } from './changes.ts';
import type { Db } from './db.ts';
import { jobQueuedElsewhere, onJobQueuedHere } from './outbox.ts';

/** The notice's kind for "a job was queued": not a change, so it never reaches the change bus. */
const jobsQueued = 'jobs';

export interface ChangeNotifier {
  close(): Promise<void>;
}

/** One channel per schema, so separate installations (and test schemas) in one database stay apart. */
function channelFor(schema: string): string {
  return `crier_changes_${schema.replace(/[^a-z0-9_]/gi, '_')}`.slice(0, 63);
}

/**
 * Starts listening when `url` is a PostgreSQL database; on SQLite, where one
 * process has the database to itself, there is nothing to hear (undefined).
 */
export async function startChangeNotifier(options: {
  db: Db;
  url: string;
  changes: ChangeBus;
  log: Logger;
  onReconnect: () => void;
}): Promise<ChangeNotifier | undefined> {
  const { db, url, changes, log, onReconnect } = options;
  if (!/^postgres(ql)?:/.test(url)) return undefined;
  const me = randomBytes(8).toString('hex');
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? 'public';
  const channel = channelFor(schema);
  let closed = false;
  let client: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;

  // One attempt pending at a time, whether the connection ended or never came up.
  const again = () => {
    if (closed || retry) return;
    retry = setTimeout(() => {
      retry = undefined;
      void connect().catch(() => {});
    }, 2_000);
  };
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true });
    c.on('error', (err) => log.warn({ err }, 'change listener connection failed'));
    c.on('end', () => {
      if (client === c) client = undefined;
      again();
    });
    c.on('notification', (n) => {
      if (n.channel !== channel || !n.payload || n.payload.startsWith(`${me}:`)) return;
      const [, kind = '', ...rest] = n.payload.split(':');
      if (kind === jobsQueued) return jobQueuedElsewhere();
      if (!isChangeKind(kind)) return;
      const id = rest.join(':');
      changes.publish({ kind, ...(id && { id }), remote: true });
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
      onReconnect();
    } catch (err) {
      log.warn({ err }, 'could not listen for changes; retrying');
      await c.end().catch(() => {});
      again();
    }
  };
  await connect();

  const stop = changes.subscribe((event) => {
    // Another process's change, heard here: announcing it again would echo between processes.
    if (event.remote) return;
    const payload = `${me}:${event.kind}:${event.id ?? ''}`.slice(0, 200);
    sql`select pg_notify(${channel}, ${payload})`.execute(db).catch((err: unknown) => {
      log.warn({ err }, 'could not announce a change to other processes');
    });
  });

  // A job queued here wakes the other processes' workers instead of leaving them to their next
  // poll. One notice in flight at a time: jobs queued meanwhile are told by one more after it.
  let announcing = false;
  let queuedMeanwhile = false;
  const announceJobs = (): void => {
    if (announcing) {
      queuedMeanwhile = true;
      return;
    }
    announcing = true;
    sql`select pg_notify(${channel}, ${`${me}:${jobsQueued}:`})`
      .execute(db)
      .catch((err: unknown) => log.warn({ err }, 'could not tell other processes of a queued job'))
      .finally(() => {
        announcing = false;
        if (queuedMeanwhile && !closed) {
          queuedMeanwhile = false;
          announceJobs();
        }
      });
  };
  const stopJobs = onJobQueuedHere(announceJobs);

  return {
    async close() {
      closed = true;
      stop();
      stopJobs();
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

/**
 * Announces one change to every Crier process on this PostgreSQL database,
 * from a process that does not listen itself (a command that wrote
 * straight to the database). Does nothing on SQLite.
 */
export async function announceChange(db: Db, url: string, event: ChangeEvent): Promise<void> {
  if (!/^postgres(ql)?:/.test(url)) return;
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db)).rows[0]?.s ?? 'public';
  const payload = `${randomBytes(8).toString('hex')}:${event.kind}:${event.id ?? ''}`;
  await sql`select pg_notify(${channelFor(schema)}, ${payload})`.execute(db);
}
