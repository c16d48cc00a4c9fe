/**
 * Keeping claims alive. A worker's claims (jobs and deliveries) are short
 * leases, renewed every fraction of a lease while the worker lives, so a
 * worker that dies (SIGKILL, a lost machine) lets its work go within one
 * lease and another worker takes it over, while a live worker keeps what it
 * holds however long a send or a fan-out takes.
 *
 * A renewal touches only rows still held under the lease the worker knows:
 * a row whose lease ran out and that another worker claimed carries that
 * worker's lease, not this one's, so it is left alone.
 */
import { type SqlBool, sql } from 'kysely';
import { type Db, dialect } from './db.ts';

/** The same statement text for any number of ids (see markSent in deliveries.ts). */
function idIn(db: Db, ids: readonly string[]) {
  return dialect(db) === 'postgres'
    ? sql<SqlBool>`id = any(${ids}::text[])`
    : sql<SqlBool>`id in (select value from json_each(${JSON.stringify(ids)}))`;
}

/**
 * Pushes the lease of the deliveries `ids`, held until `heldUntil`, to `until`. Returns the ids
 * renewed: the others are no longer this worker's.
 */
export async function renewDeliveryLeases(
  db: Db,
  ids: readonly string[],
  heldUntil: Date,
  until: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const lease = until.toISOString();
  const rows = await db
    .updateTable('deliveries')
    .set({ lease_until: lease, next_attempt_at: lease })
    .where(idIn(db, ids))
    .where('state', '=', 'sending')
    .where('lease_until', '=', heldUntil.toISOString())
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Pushes the lease of the jobs `ids` this worker runs to `until`; returns the ids renewed. */
export async function renewJobLeases(
  db: Db,
  worker: string,
  ids: readonly string[],
  until: Date,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const lease = until.toISOString();
  const rows = await db
    .updateTable('outbox_jobs')
    .set({ lease_until: lease, run_at: lease })
    .where(idIn(db, ids))
    .where('state', '=', 'running')
    .where('locked_by', '=', worker)
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** Hands jobs this worker claimed but did not start back to the queue, due now (a drain). */
export async function releaseJobs(db: Db, worker: string, ids: readonly string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  const at = now.toISOString();
  await db
    .updateTable('outbox_jobs')
    .set((eb) => ({
      state: 'pending',
      run_at: at,
      lease_until: null,
      attempts: eb('attempts', '-', 1),
      updated_at: at,
    }))
    .where(idIn(db, ids))
    .where('state', '=', 'running')
    .where('locked_by', '=', worker)
    .execute();
}
