/**
 * Locks, where the dialects differ. SQLite runs one write transaction at a
 * time, so it needs none; on PostgreSQL a row read to be changed stays
 * locked until the transaction ends, and a named lock serialises work that
 * has no row to lock yet.
 */
import { sql } from 'kysely';
import { type Db, dialect } from './db.ts';

/** The query as `SELECT … FOR UPDATE` on PostgreSQL; unchanged on SQLite. */
export function forUpdate<Q extends { forUpdate(): Q }>(db: Db, query: Q): Q {
  return dialect(db) === 'postgres' ? query.forUpdate() : query;
}

/** Holds a lock named `name` until the transaction on `db` ends (PostgreSQL); SQLite's write lock already does. */
export async function lockNamed(db: Db, name: string): Promise<void> {
  if (dialect(db) === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(db);
}
