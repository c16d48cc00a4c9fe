/**
 * An incident's deliveries that failed: retrying (`failed`) or given up
 * (`dead`), newest first, each with its recipient masked as the public
 * pages mask it, the provider's error and the attempts made. The war room
 * lists them under each update and replays the dead ones one by one.
 */
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { maskContact } from '../subscribers/contact.ts';

export interface DeliveryFailure {
  id: string;
  update_id: string;
  channel: string;
  /** The subscriber's contact with most of it hidden; the channel's name for a broadcast. */
  recipient: string;
  state: 'failed' | 'dead';
  attempts: number;
  last_error: string | null;
  next_attempt_at: string;
  updated_at: string;
}

/** At most this many per update: the rest are counted, and replayed together. */
const FAILURES_SHOWN = 10;

/** The failed and dead deliveries of each update named, at most FAILURES_SHOWN each. */
export async function deliveryFailures(
  db: Db,
  incidentId: string,
  updateIds: readonly string[],
): Promise<Record<string, DeliveryFailure[]>> {
  const out: Record<string, DeliveryFailure[]> = {};
  for (const updateId of updateIds) {
    const rows = await db
      .selectFrom('deliveries')
      .leftJoin('subscribers', 'subscribers.id', 'deliveries.subscriber_id')
      .select([
        'deliveries.id',
        'deliveries.subject_id',
        'deliveries.channel',
        'deliveries.state',
        'deliveries.attempts',
        'deliveries.last_error',
        'deliveries.next_attempt_at',
        'deliveries.updated_at',
        'subscribers.kind',
        'subscribers.contact',
      ])
      .where('deliveries.subject_id', '=', updateId)
      .where('deliveries.incident_id', '=', incidentId)
      .where('deliveries.state', 'in', ['failed', 'dead'])
      .orderBy('deliveries.updated_at', 'desc')
      .orderBy('deliveries.id')
      .limit(FAILURES_SHOWN)
      .execute();
    out[updateId] = rows.map((r) => ({
      id: r.id,
      update_id: r.subject_id,
      channel: r.channel,
      recipient: r.kind !== null && r.contact !== null ? maskContact(r.kind, r.contact) : r.channel,
      state: r.state === 'dead' ? 'dead' : 'failed',
      attempts: r.attempts,
      last_error: r.last_error,
      next_attempt_at: r.next_attempt_at,
      updated_at: r.updated_at,
    }));
  }
  return out;
}

/** That a delivery is one of this incident's, before anything is done to it from the incident's page. */
export async function requireIncidentDelivery(db: Db, incidentId: string, deliveryId: string): Promise<void> {
  const row = await db
    .selectFrom('deliveries')
    .select('id')
    .where('id', '=', deliveryId)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!row) {
    throw new CrierError('delivery_not_found', `This incident has no delivery ${deliveryId}.`, {
      id: deliveryId,
    });
  }
}
