/**
 * Deleting what is past its retention age in small batches, each its own
 * short transaction with a pause after it, so the worker and the page go on
 * between them (docs/operations.md, retention). Deliveries leave their
 * counts behind in `delivery_counts`, which the delivery summaries add in.
 * Deliveries and jobs have random ids and no index on their age (one would
 * cost every send a write), so they are walked in key order, a window at a
 * time, and the window's expired rows deleted.
 */
import { sql } from 'kysely';
import { type Db, dialect } from './db.ts';
import type { DeliveryState } from './schema.ts';

export interface PruneOptions {
  /** Rows deleted per transaction. */
  batchSize: number;
  /** Awaited between batches: lets the event loop and other connections in. */
  pause: () => Promise<void>;
}

const finishedDeliveries = ['sent', 'dead'] as const;
const finishedJobs = ['done', 'dead', 'cancelled'] as const;

/** Walks a table by its text key, a window at a time, handing each window's ids to `visit`. */
async function walk(
  db: Db,
  table: 'deliveries' | 'outbox_jobs',
  options: PruneOptions,
  visit: (ids: string[]) => Promise<number>,
  expired: (q: ReturnType<typeof windowQuery>) => ReturnType<typeof windowQuery>,
): Promise<number> {
  let after = '';
  let removed = 0;
  const window = options.batchSize * 4;
  for (;;) {
    const keys = await db
      .selectFrom(table)
      .select('id')
      .where('id', '>', after)
      .orderBy('id')
      .limit(window)
      .execute();
    const last = keys.at(-1)?.id;
    if (last === undefined) return removed;
    const ids = (await expired(windowQuery(db, table, after, last)).execute()).map((r) => r.id);
    for (let i = 0; i < ids.length; i += options.batchSize) {
      removed += await visit(ids.slice(i, i + options.batchSize));
      await options.pause();
    }
    if (keys.length < window) return removed;
    after = last;
    if (ids.length === 0) await options.pause();
  }
}

function windowQuery(db: Db, table: 'deliveries' | 'outbox_jobs', after: string, last: string) {
  return db.selectFrom(table).select('id').where('id', '>', after).where('id', '<=', last);
}

/** Deletes sent and dead deliveries last touched before `before`, adding them to `delivery_counts`. */
export function pruneDeliveries(db: Db, before: string, options: PruneOptions): Promise<number> {
  return walk(
    db,
    'deliveries',
    options,
    (ids) =>
      db.transaction().execute(async (trx) => {
        // Deleted and counted by what the delete returns: a row replayed meanwhile is neither.
        const gone = await trx
          .deleteFrom('deliveries')
          .where('id', 'in', ids)
          .where('state', 'in', finishedDeliveries)
          .where('updated_at', '<', before)
          .returning(['subject_id', 'subject_type', 'channel', 'state'])
          .execute();
        await addToDeliveryCounts(trx, gone);
        return gone.length;
      }),
    (q) => q.where('state', 'in', finishedDeliveries).where('updated_at', '<', before),
  );
}

/**
 * Adds deleted deliveries to `delivery_counts`, which the delivery summaries read, so an
 * update's counts stay the same once its rows are gone (retention, a person's erasure).
 */
export async function addToDeliveryCounts(
  trx: Db,
  gone: readonly { subject_id: string; subject_type: string; channel: string; state: DeliveryState }[],
): Promise<void> {
  const counts = new Map<string, (typeof gone)[number] & { n: number }>();
  for (const row of gone) {
    const key = `${row.subject_id}\u0000${row.channel}\u0000${row.state}`;
    const seen = counts.get(key);
    if (seen) seen.n += 1;
    else counts.set(key, { ...row, n: 1 });
  }
  for (const c of counts.values()) {
    await trx
      .insertInto('delivery_counts')
      .values(c)
      .onConflict((oc) =>
        oc
          .columns(['subject_id', 'channel', 'state'])
          .doUpdateSet((eb) => ({ n: eb('delivery_counts.n', '+', eb.ref('excluded.n')) })),
      )
      .execute();
  }
}

/** Deletes jobs that finished (done, dead, cancelled) before `before`. */
export function pruneJobs(db: Db, before: string, options: PruneOptions): Promise<number> {
  return walk(
    db,
    'outbox_jobs',
    options,
    async (ids) =>
      Number(
        (
          await db
            .deleteFrom('outbox_jobs')
            .where('id', 'in', ids)
            .where('state', 'in', finishedJobs)
            .where('finished_at', '<', before)
            .executeTakeFirst()
        ).numDeletedRows,
      ),
    (q) => q.where('state', 'in', finishedJobs).where('finished_at', '<', before),
  );
}

/** Deletes the raw alert payloads received before `before` (the alerts themselves stay). */
export async function pruneAlertPayloads(db: Db, before: string, options: PruneOptions): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = (
      await db
        .selectFrom('ingest_payloads')
        .select('id')
        .where('received_at', '<', before)
        .orderBy('received_at')
        .limit(options.batchSize)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) return removed;
    removed += Number(
      (await db.deleteFrom('ingest_payloads').where('id', 'in', ids).executeTakeFirst()).numDeletedRows,
    );
    await options.pause();
  }
}

/** Deletes the sentiment watch's mentions posted before `before` (the plan's `sentiment.retention_days`). */
export async function pruneMentions(db: Db, before: string, options: PruneOptions): Promise<number> {
  let removed = 0;
  for (;;) {
    const ids = (
      await db
        .selectFrom('mentions')
        .select('id')
        .where('posted_at', '<', before)
        .orderBy('posted_at')
        .limit(options.batchSize)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) return removed;
    removed += Number(
      (await db.deleteFrom('mentions').where('id', 'in', ids).executeTakeFirst()).numDeletedRows,
    );
    await options.pause();
  }
}

/**
 * SQLite: gives the pages freed by deletes back to the file system, a few
 * hundred at a time, when the database is in incremental auto-vacuum mode
 * (every database Crier creates; docs/operations.md says how to switch an
 * older one). Returns the pages given back; PostgreSQL's autovacuum does this
 * on its own.
 */
export async function giveBackSpace(db: Db, options: PruneOptions): Promise<number> {
  if (dialect(db) !== 'sqlite') return 0;
  const mode = await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db);
  if (mode.rows[0]?.auto_vacuum !== 2) return 0;
  let given = 0;
  for (;;) {
    const free =
      (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows[0]?.freelist_count ?? 0;
    if (free === 0) return given;
    await sql`pragma incremental_vacuum(${sql.lit(Math.min(free, 256))})`.execute(db);
    const left =
      (await sql<{ freelist_count: number }>`pragma freelist_count`.execute(db)).rows[0]?.freelist_count ?? 0;
    if (left >= free) return given;
    given += free - left;
    await options.pause();
  }
}
