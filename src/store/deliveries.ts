/**
 * The delivery worker's reads and writes (src/delivery/worker.ts). Claims take rows whose time has come (or
 * whose lease ran out: a crashed worker's) and push their time forward by
 * the lease, so the same query serves new work and abandoned work. On
 * PostgreSQL, `FOR UPDATE SKIP LOCKED` lets several workers claim at once
 * without waiting on each other; SQLite has one writer at a time anyway.
 */
import { type SqlBool, sql } from 'kysely';
import type { Target } from '../channels/types.ts';
import { type Db, dialect } from './db.ts';
import { prepared } from './prepared.ts';
import type { DeliveryRow, OutboxJobRow, SubscriberRow } from './schema.ts';
import { disableAfterRefusal, type SoftBouncePolicy } from './suppressions.ts';

/**
 * Deliveries still to send. Written with literals, the way the partial index
 * `deliveries_due` is defined, so the database can tell the index covers it.
 */
export const unsent = sql<SqlBool>`state in ('pending', 'failed', 'sending')`;

/** Due jobs become `running` under this worker's lease; compiled once (prepared.ts), as it runs every second. */
const claimJobsQuery = prepared((db: Db, a: { worker: string; now: string; lease: string; limit: number }) =>
  db
    .updateTable('outbox_jobs')
    .set((eb) => ({
      state: 'running',
      run_at: a.lease,
      lease_until: a.lease,
      locked_by: a.worker,
      attempts: eb('attempts', '+', 1),
      updated_at: a.now,
    }))
    .where('id', 'in', (eb) => {
      let q = eb
        .selectFrom('outbox_jobs')
        .select('id')
        .where('state', 'in', ['pending', 'running'])
        .where('run_at', '<=', a.now)
        .orderBy('run_at')
        .limit(a.limit);
      if (dialect(db) === 'postgres') q = q.forUpdate().skipLocked();
      return q;
    })
    .returningAll(),
);

export async function claimJobs(
  db: Db,
  worker: string,
  now: Date,
  leaseMs: number,
  limit: number,
): Promise<OutboxJobRow[]> {
  const lease = new Date(now.getTime() + leaseMs).toISOString();
  return (await claimJobsQuery(db, { worker, now: now.toISOString(), lease, limit })).rows;
}

/** A claimed delivery with what sending it needs of its subscriber. */
export interface ClaimedDelivery
  extends Pick<
      DeliveryRow,
      'id' | 'subject_type' | 'subject_id' | 'subscriber_id' | 'attempts' | 'incident_id'
    >,
    Pick<SubscriberRow, 'contact' | 'secret' | 'locale' | 'confirm_token'> {
  /** The subscriber's manage-and-unsubscribe token; null for a broadcast's account, which has none. */
  token: SubscriberRow['token'] | null;
  /** `deleted` when the subscriber's row is gone. */
  subscriber_state: SubscriberRow['state'] | 'deleted';
  /** When this worker's claim runs out (ms since the epoch); past it, another worker may take the row. */
  lease_until_ms: number;
}

/**
 * The claim itself: the due rows of one channel, oldest due first, become
 * `sending` under a lease. Exported for the test that checks it reads the
 * partial index; run through `claimDue`, compiled once (prepared.ts).
 */
export function claimQuery(db: Db, a: { channel: string; now: string; lease: string; limit: number }) {
  return db
    .updateTable('deliveries')
    .set((eb) => ({
      state: 'sending',
      next_attempt_at: a.lease,
      lease_until: a.lease,
      attempts: eb('attempts', '+', 1),
      updated_at: a.now,
    }))
    .where('id', 'in', (eb) => {
      let q = eb
        .selectFrom('deliveries')
        .select('id')
        .where('channel', '=', a.channel)
        .where(unsent)
        .where('next_attempt_at', '<=', a.now)
        .orderBy('next_attempt_at')
        .limit(a.limit);
      if (dialect(db) === 'postgres') q = q.forUpdate().skipLocked();
      return q;
    })
    .returning(['id', 'subject_type', 'subject_id', 'subscriber_id', 'attempts', 'incident_id']);
}
const claimDue = prepared(claimQuery);

export async function claimDeliveries(
  db: Db,
  channel: string,
  now: Date,
  leaseMs: number,
  limit: number,
  /** A broadcast's account: its deliveries have no subscriber to read. */
  account?: Target,
): Promise<ClaimedDelivery[]> {
  const lease = new Date(now.getTime() + leaseMs).toISOString();
  const claimed = (await claimDue(db, { channel, now: now.toISOString(), lease, limit })).rows;
  if (claimed.length === 0) return [];
  const lease_until_ms = now.getTime() + leaseMs;
  if (account) {
    return claimed.map((c) => ({
      ...c,
      contact: account.contact,
      secret: null,
      locale: null,
      token: null,
      confirm_token: null,
      subscriber_state: 'confirmed',
      lease_until_ms,
    }));
  }
  const subscribers = await db
    .selectFrom('subscribers')
    .select(['id', 'contact', 'secret', 'locale', 'token', 'confirm_token', 'state'])
    .where(
      'id',
      'in',
      claimed.map((c) => c.subscriber_id),
    )
    .execute();
  const byId = new Map(subscribers.map((s) => [s.id, s]));
  const out: ClaimedDelivery[] = [];
  for (const c of claimed) {
    const s = byId.get(c.subscriber_id);
    out.push({
      ...c,
      contact: s?.contact ?? '',
      secret: s?.secret ?? null,
      locale: s?.locale ?? null,
      token: s?.token ?? '',
      confirm_token: s?.confirm_token ?? null,
      subscriber_state: s?.state ?? 'deleted',
      lease_until_ms,
    });
  }
  return out;
}

/** A delivery a fan-out batch inserted already leased to this worker. */
export type LeasedDelivery = ClaimedDelivery & { channel: string };

/**
 * The deliveries a fan-out batch inserted already leased to this worker
 * (see expandBatch), with what sending needs, so its lanes start without a
 * claim: read back where they are not known otherwise.
 */
export async function leasedBatch(
  db: Db,
  subjectId: string,
  after: string | null,
  upTo: string,
  createdAt: string,
  leaseUntilMs: number,
): Promise<LeasedDelivery[]> {
  let q = db
    .selectFrom('deliveries as d')
    .innerJoin('subscribers as s', 's.id', 'd.subscriber_id')
    .select([
      'd.id',
      'd.subject_type',
      'd.subject_id',
      'd.subscriber_id',
      'd.attempts',
      'd.channel',
      'd.incident_id',
      's.contact',
      's.secret',
      's.locale',
      's.token',
      's.confirm_token',
      's.state as subscriber_state',
    ])
    .where('d.subject_id', '=', subjectId)
    .where('d.subscriber_id', '<=', upTo)
    .where('d.state', '=', 'sending')
    .where('d.created_at', '=', createdAt);
  if (after !== null) q = q.where('d.subscriber_id', '>', after);
  const rows = await q.execute();
  return rows.map((r) => ({ ...r, lease_until_ms: leaseUntilMs }));
}

export type DeliveryOutcome =
  | {
      id: string;
      state: 'sent';
      via: string;
      providerId: string | null;
      /** A verification the receiver answered: its subscriber, pending until now, is confirmed. */
      confirmsSubscriber?: boolean;
    }
  | { id: string; state: 'failed'; via: string; error: string; retryAt: string }
  | {
      id: string;
      state: 'dead';
      via: string;
      error: string;
      disableSubscriber?: string;
      /** It gave up on a temporary refusal about the mailbox: one soft bounce for its address. */
      softBounce?: string;
    }
  /** Not attempted (breaker open, worker stopping): back in the queue without using an attempt. */
  | { id: string; state: 'released'; retryAt: string }
  /** Not attempted because the lease ran out first: nothing is written, the row is someone else's now. */
  | { id: string; state: 'expired' };

/**
 * Deliveries sent with no provider id to keep, the common outcome, written in bulk: `ids` is one
 * parameter (a JSON array on SQLite, an array on PostgreSQL), so the statement's text is the same
 * for any number of ids. Built and compiled once (prepared.ts), like the count below: on PostgreSQL
 * a named statement, parsed once per connection.
 */
const markSent = prepared((db: Db, a: { ids: string | readonly string[]; via: string; at: string }) =>
  db
    .updateTable('deliveries')
    .set({ state: 'sent', via: a.via, sent_at: a.at, updated_at: a.at, lease_until: null, last_error: null })
    .where(
      dialect(db) === 'postgres'
        ? sql<SqlBool>`id = any(${a.ids}::text[])`
        : sql<SqlBool>`id in (select value from json_each(${a.ids}))`,
    ),
);

/** Adds to a channel's count of sent deliveries (`/metrics`); compiled once like `markSent`. */
const countSent = prepared((db: Db, a: { channel: string; n: number }) =>
  db
    .insertInto('delivery_sent_counts')
    .values({ channel: a.channel, n: a.n })
    .onConflict((oc) =>
      oc
        .column('channel')
        .doUpdateSet((eb) => ({ n: eb('delivery_sent_counts.n', '+', eb.ref('excluded.n')) })),
    ),
);

/**
 * Writes a batch of outcomes of one channel (subscriber kind) in one
 * transaction, and adds the deliveries it marks sent to that channel's count.
 */
export async function recordOutcomes(
  db: Db,
  channel: string,
  outcomes: readonly DeliveryOutcome[],
  now: Date,
  /** Counts a delivery that gave up on a mailbox's temporary refusals; without it, none is counted. */
  softBounces?: SoftBouncePolicy,
): Promise<void> {
  if (outcomes.length === 0) return;
  const at = now.toISOString();
  await db.transaction().execute(async (trx) => {
    let sent = 0n;
    // The common case, sent with no provider id to keep, is written in bulk after the others.
    const sentVia = new Map<string, string[]>();
    for (const o of outcomes) {
      switch (o.state) {
        case 'sent':
          if (o.confirmsSubscriber) await confirmVerified(trx, o.id, at);
          if (o.providerId === null) {
            const ids = sentVia.get(o.via);
            if (ids) ids.push(o.id);
            else sentVia.set(o.via, [o.id]);
            continue;
          }
          sent += (
            await trx
              .updateTable('deliveries')
              .set({
                state: 'sent',
                via: o.via,
                provider_id: o.providerId,
                sent_at: at,
                updated_at: at,
                lease_until: null,
                last_error: null,
              })
              .where('id', '=', o.id)
              .executeTakeFirst()
          ).numUpdatedRows;
          break;
        case 'failed':
          await trx
            .updateTable('deliveries')
            .set({
              state: 'failed',
              via: o.via,
              last_error: o.error,
              next_attempt_at: o.retryAt,
              lease_until: null,
              updated_at: at,
            })
            .where('id', '=', o.id)
            .execute();
          break;
        case 'dead':
          await trx
            .updateTable('deliveries')
            .set({ state: 'dead', via: o.via, last_error: o.error, lease_until: null, updated_at: at })
            .where('id', '=', o.id)
            .execute();
          if (o.disableSubscriber) await disableAfterRefusal(trx, o.id, o.via, o.disableSubscriber, now);
          else if (o.softBounce && softBounces)
            await disableAfterRefusal(trx, o.id, o.via, o.softBounce, now, softBounces);
          break;
        case 'expired':
          break;
        case 'released':
          await trx
            .updateTable('deliveries')
            .set((eb) => ({
              state: 'pending',
              next_attempt_at: o.retryAt,
              lease_until: null,
              attempts: eb('attempts', '-', 1),
              updated_at: at,
            }))
            .where('id', '=', o.id)
            .execute();
          break;
      }
    }
    const pg = dialect(trx) === 'postgres';
    for (const [via, ids] of sentVia) {
      const marked = await markSent(trx, { ids: pg ? ids : JSON.stringify(ids), via, at });
      sent += marked.numAffectedRows ?? 0n;
    }
    if (sent > 0n) await countSent(trx, { channel, n: Number(sent) });
  });
}

/**
 * The subscriber of a verification its webhook answered becomes confirmed,
 * with an audit entry as when a person confirms by link. Only a pending one:
 * one who unsubscribed meanwhile stays unsubscribed.
 */
async function confirmVerified(trx: Db, deliveryId: string, at: string): Promise<void> {
  const row = await trx
    .selectFrom('deliveries as d')
    .innerJoin('subscribers as s', 's.id', 'd.subscriber_id')
    .select(['s.id', 's.state'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
  if (row?.state !== 'pending') return;
  await trx
    .updateTable('subscribers')
    .set({ state: 'confirmed', confirmed_at: at, updated_at: at })
    .where('id', '=', row.id)
    .where('state', '=', 'pending')
    .execute();
  await trx
    .insertInto('audit_log')
    .values({
      at,
      actor: 'system',
      action: 'subscriber.confirm',
      subject_type: 'subscriber',
      subject_id: row.id,
      before: JSON.stringify({ state: 'pending' }),
      after: JSON.stringify({ state: 'confirmed', how: 'webhook-challenge' }),
      request_id: null,
      source: 'worker',
    })
    .execute();
}
