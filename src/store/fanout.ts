/**
 * Expanding a fan-out job into deliveries, one batch of subscribers per
 * transaction. The job's cursor (the last subscriber id done) moves in the
 * same transaction as the batch's inserts, and deliveries are unique on
 * (subject, subscriber, channel), so a crash between batches resumes where
 * it stopped and a repeated batch inserts nothing twice.
 *
 * The rows inserted already leased go to the worker's lanes with what sending
 * them needs. On SQLite, where the batch's transaction holds the only write
 * lock, they are known without reading them back: the subscribers read to
 * find the batch's end are exactly the ones inserted, in id order, and each
 * row's id is the batch's prefix and its place. Elsewhere, or when some rows
 * were there already, they are read back.
 */

import { randomBytes } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import type { SubscriberKind } from '../channels/types.ts';
import { type Db, dialect } from './db.ts';
import { type LeasedDelivery, leasedBatch } from './deliveries.ts';
import { newId } from './ids.ts';
import type { FanoutPayload } from './outbox.ts';
import type { SubscriberRow } from './schema.ts';

export interface FanoutBatch {
  inserted: number;
  /** The rows inserted already leased to this worker, with what sending them needs. */
  leased: LeasedDelivery[];
  /** The last subscriber id seen, or null when the fan-out is complete. */
  cursor: string | null;
}

/** What sending to a subscriber needs, read with the batch where its rows need not be read back. */
const contactColumns = [
  's.id',
  's.kind',
  's.contact',
  's.secret',
  's.locale',
  's.token',
  's.confirm_token',
  's.state',
] as const;

/**
 * Inserts the next batch of deliveries after `cursor` for the kinds the
 * worker can serve. Runs inside the caller's transaction (`tx`).
 */
export async function expandBatch(
  tx: Db,
  payload: FanoutPayload,
  cursor: string | null,
  kinds: readonly SubscriberKind[],
  batchSize: number,
  now: Date,
  /**
   * Kinds whose lane in this worker has room: their rows are inserted already
   * claimed (`sending`, leased until `until`), and handed to the lane after commit.
   */
  lease: { kinds: ReadonlySet<SubscriberKind>; until: Date } = { kinds: new Set(), until: now },
): Promise<FanoutBatch> {
  const at = now.toISOString();
  const empty: FanoutBatch = { inserted: 0, leased: [], cursor: null };
  if (kinds.length === 0) return empty;
  const matching = () => {
    let q = tx
      .selectFrom('subscribers as s')
      .where('s.audience', '=', payload.audience)
      .where('s.state', '=', 'confirmed')
      .where('s.kind', 'in', [...kinds]);
    if (cursor !== null) q = q.where('s.id', '>', cursor);
    if (payload.component_ids.length > 0) {
      q = q.where((eb) =>
        eb.or([
          eb('s.all_components', '=', 1),
          eb.exists(
            eb
              .selectFrom('subscriber_components as sc')
              .select('sc.subscriber_id')
              .whereRef('sc.subscriber_id', '=', 's.id')
              .where('sc.component_id', 'in', payload.component_ids),
          ),
        ]),
      );
    }
    return q;
  };
  const leasedKinds = [...lease.kinds];
  // Where this batch ends: the batchSize-th matching subscriber, or the last one. On SQLite, with
  // part of the batch going out leased, with their contacts (see the module comment).
  const contacts =
    leasedKinds.length > 0 && dialect(tx) === 'sqlite'
      ? await matching().select(contactColumns).orderBy('s.id').limit(batchSize).execute()
      : null;
  const ids = contacts ?? (await matching().select('s.id').orderBy('s.id').limit(batchSize).execute());
  const last = ids.at(-1)?.id;
  if (last === undefined) return empty;

  // The rows are built by the database from the subscribers themselves (INSERT ... SELECT):
  // nothing travels to the process and back, which is most of a fan-out's cost.
  const until = lease.until.toISOString();
  const ifLeased = (yes: RawBuilder<unknown>, no: RawBuilder<unknown>) =>
    leasedKinds.length === 0
      ? no
      : sql`case when s.kind in (${sql.join(leasedKinds.map((k) => sql.lit(k)))}) then ${yes} else ${no} end`;
  // Ids in insertion order: a prefix of the time and random bits for the batch, then the row's
  // place in it. The primary key's index grows at its end, where random ids would split pages all
  // over it, and the outcomes written later find their rows on pages still in the cache.
  const prefix = `${now.getTime().toString(16).padStart(11, '0')}${randomBytes(3).toString('hex')}`;
  const place = sql`row_number() over (order by s.id)`;
  const id =
    dialect(tx) === 'postgres'
      ? sql<string>`${prefix} || lpad(to_hex(${place}), 5, '0')`
      : sql<string>`${prefix} || printf('%05x', ${place})`;
  const result = await tx
    .insertInto('deliveries')
    .columns([
      'id',
      'subject_type',
      'subject_id',
      'incident_id',
      'subscriber_id',
      'channel',
      'state',
      'attempts',
      'next_attempt_at',
      'lease_until',
      'created_at',
      'updated_at',
    ])
    .expression(
      matching()
        .where('s.id', '<=', last)
        .select([
          id.as('id'),
          sql.lit(payload.subject_type).as('subject_type'),
          sql.val(payload.subject_id).as('subject_id'),
          sql.val(payload.incident_id ?? payload.maintenance_id ?? null).as('incident_id'),
          's.id as subscriber_id',
          's.kind as channel',
          ifLeased(sql.lit('sending'), sql.lit('pending')).as('state'),
          ifLeased(sql.lit(1), sql.lit(0)).as('attempts'),
          ifLeased(sql.val(until), sql.val(at)).as('next_attempt_at'),
          ifLeased(sql.val(until), sql.lit(null)).as('lease_until'),
          sql.val(at).as('created_at'),
          sql.val(at).as('updated_at'),
        ]),
    )
    .onConflict((oc) => oc.columns(['subject_id', 'subscriber_id', 'channel']).doNothing())
    .executeTakeFirst();
  const inserted = Number(result.numInsertedOrUpdatedRows ?? 0);
  const leaseUntilMs = lease.until.getTime();
  return {
    inserted,
    leased:
      leasedKinds.length === 0 || inserted === 0
        ? []
        : // Every subscriber read got its row (none was there already): their ids are known.
          contacts !== null && inserted === contacts.length
          ? leasedRows(payload, contacts, prefix, lease.kinds, leaseUntilMs)
          : await leasedBatch(tx, payload.subject_id, cursor, last, at, leaseUntilMs),
    cursor: ids.length < batchSize ? null : last,
  };
}

function leasedRows(
  payload: FanoutPayload,
  contacts: readonly Pick<
    SubscriberRow,
    'id' | 'kind' | 'contact' | 'secret' | 'locale' | 'token' | 'confirm_token' | 'state'
  >[],
  prefix: string,
  kinds: ReadonlySet<string>,
  leaseUntilMs: number,
): LeasedDelivery[] {
  const rows: LeasedDelivery[] = [];
  for (const [i, s] of contacts.entries()) {
    if (!kinds.has(s.kind)) continue;
    rows.push({
      // The id the insert gave this row: the prefix, then its place in the batch from 1.
      id: `${prefix}${(i + 1).toString(16).padStart(5, '0')}`,
      subject_type: payload.subject_type,
      subject_id: payload.subject_id,
      incident_id: payload.incident_id ?? payload.maintenance_id ?? null,
      subscriber_id: s.id,
      channel: s.kind,
      attempts: 1,
      contact: s.contact,
      secret: s.secret,
      locale: s.locale,
      token: s.token,
      confirm_token: s.confirm_token,
      subscriber_state: s.state,
      lease_until_ms: leaseUntilMs,
    });
  }
  return rows;
}

/** How every broadcast account's name begins, as deliveries name it. */
export const broadcastPrefix = 'account:';

/**
 * What a broadcast delivery names as its subscriber: the channel's own account. There is no row
 * in `subscribers` for it (docs/adr/0010-broadcast-channels.md).
 */
function broadcastAccount(channel: string): string {
  return `${broadcastPrefix}${channel}`;
}

/**
 * One delivery per broadcast channel the fan-out's audience hears on, each to the channel's
 * account. Unique like every delivery on (subject, subscriber, channel), so writing them again
 * after a crash inserts nothing. Runs inside the caller's transaction; returns how many it wrote.
 */
export async function insertBroadcasts(
  tx: Db,
  payload: FanoutPayload,
  channels: readonly string[],
  now: Date,
): Promise<number> {
  if (channels.length === 0) return 0;
  const at = now.toISOString();
  const result = await tx
    .insertInto('deliveries')
    .values(
      channels.map((channel) => ({
        id: newId(),
        subject_type: payload.subject_type,
        subject_id: payload.subject_id,
        incident_id: payload.incident_id ?? payload.maintenance_id ?? null,
        subscriber_id: broadcastAccount(channel),
        channel,
        state: 'pending',
        attempts: 0,
        next_attempt_at: at,
        lease_until: null,
        created_at: at,
        updated_at: at,
      })),
    )
    .onConflict((oc) => oc.columns(['subject_id', 'subscriber_id', 'channel']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
