/**
 * Expanding a fan-out job into deliveries, one batch of subscribers per
 * transaction. The job's cursor (the last subscriber id done) moves in the
 * same transaction as the batch's inserts, and deliveries are unique on
 * (subject, subscriber, channel), so a crash between batches resumes where
 * it stopped and a repeated batch inserts nothing twice.
 */

import type { SubscriberKind } from '../channels/types.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../store/ids.ts';
import type { FanoutPayload } from './outbox.ts';

export interface FanoutBatch {
  inserted: number;
  /** The last subscriber id seen, or null when the fan-out is complete. */
  cursor: string | null;
}

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
): Promise<FanoutBatch> {
  if (kinds.length === 0) return { inserted: 0, cursor: null };
  let q = tx
    .selectFrom('subscribers as s')
    .select(['s.id', 's.kind'])
    .where('s.audience', '=', payload.audience)
    .where('s.state', '=', 'confirmed')
    .where('s.kind', 'in', [...kinds])
    .orderBy('s.id')
    .limit(batchSize);
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
  const rows = await q.execute();
  if (rows.length === 0) return { inserted: 0, cursor: null };
  const at = now.toISOString();
  const values = rows.map((s) => ({
    id: newId(),
    subject_type: payload.subject_type,
    subject_id: payload.subject_id,
    incident_id: payload.incident_id ?? payload.maintenance_id ?? null,
    subscriber_id: s.id,
    channel: s.kind,
    via: null,
    state: 'pending',
    attempts: 0,
    next_attempt_at: at,
    lease_until: null,
    provider_id: null,
    last_error: null,
    created_at: at,
    updated_at: at,
    sent_at: null,
  }));
  let inserted = 0;
  for (let i = 0; i < values.length; i += 500) {
    const result = await tx
      .insertInto('deliveries')
      .values(values.slice(i, i + 500))
      .onConflict((oc) => oc.columns(['subject_id', 'subscriber_id', 'channel']).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  const last = rows.at(-1)?.id ?? null;
  return { inserted, cursor: rows.length < batchSize ? null : last };
}
