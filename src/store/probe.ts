/**
 * What /readyz asks of the database: does it answer, and can it be written?
 * A database that answers reads but refuses writes (a full disk, a
 * read-only file, a lock another process holds) is not ready either: every
 * admin write and subscription would fail.
 */
import { sql } from 'kysely';
import { type Db, dialect, lastWriteFault, SQLITE_BUSY_TIMEOUT_MS } from './db.ts';
import { databaseFault } from './faults.ts';

/** A write that failed longer ago than this, with none since, no longer counts against readiness (ms). */
const WRITE_FAULT_MEMORY_MS = 30_000;

/** How long the probe waits for another connection's write lock (ms): /readyz must answer quickly. */
const PROBE_LOCK_WAIT_MS = 250;

function reason(err: unknown): string {
  return databaseFault(err)?.cause ?? (err instanceof Error ? err.message : String(err));
}

/**
 * `ok`, or why not: `unreachable: ...` when no query goes through, `cannot write: ...` when
 * reads do and writes do not.
 */
export async function probeDatabase(db: Db, now = Date.now()): Promise<string> {
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    return `unreachable: ${reason(err)}`;
  }
  if (dialect(db) === 'sqlite') {
    const problem = await sqliteWriteProblem(db).catch((err: unknown) => reason(err));
    if (problem) return `cannot write: ${problem}`;
  }
  const last = lastWriteFault(db);
  if (last && now - last.at < WRITE_FAULT_MEMORY_MS) {
    const ago = Math.max(0, Math.round((now - last.at) / 1000));
    return `cannot write: the last write failed ${ago} s ago (${last.fault.cause})`;
  }
  return 'ok';
}

/**
 * Takes the write lock and lets it go at once, on the one connection, so nothing else runs in
 * between: a lock held elsewhere (SQLITE_BUSY) or a read-only file (SQLITE_READONLY) shows here;
 * a database at its page budget (PRAGMA max_page_count) with no free page left is full.
 */
async function sqliteWriteProblem(db: Db): Promise<string | null> {
  return db.connection().execute(async (c) => {
    await sql.raw(`pragma busy_timeout = ${PROBE_LOCK_WAIT_MS}`).execute(c);
    try {
      await sql`begin immediate`.execute(c);
      try {
        // A write to a read-only database fails only when a page is written: touch one.
        await sql`update settings set key = key where key = ${'\u0000'}`.execute(c);
        const pages = await sql<{ page_count: number; max_page_count: number; freelist_count: number }>`
          select (select page_count from pragma_page_count) as page_count,
                 (select max_page_count from pragma_max_page_count) as max_page_count,
                 (select freelist_count from pragma_freelist_count) as freelist_count`.execute(c);
        const p = pages.rows[0];
        if (p && p.page_count >= p.max_page_count && p.freelist_count === 0) {
          return `SQLITE_FULL: the database holds ${p.page_count} pages, its limit (max_page_count)`;
        }
        return null;
      } finally {
        await sql`rollback`.execute(c);
      }
    } finally {
      await sql.raw(`pragma busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`).execute(c);
    }
  });
}
