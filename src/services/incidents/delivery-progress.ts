import type { Db } from '../../store/db.ts';

/** The published updates whose deliveries an open war room follows: the latest few, where sending happens. */
const FOLLOWED = 5;

/**
 * Where an incident's latest notifications stand, as a string that changes
 * whenever one of their deliveries moves (pending → sent, failed, dead).
 * The console's live stream compares it once a second for the incidents
 * open in a war room; the worker may be another process, so the database
 * is what it asks.
 */
export async function deliveryProgress(db: Db, incidentId: string): Promise<string> {
  const updates = await db
    .selectFrom('incident_updates')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'published')
    .orderBy('published_at', 'desc')
    .limit(FOLLOWED)
    .execute();
  if (updates.length === 0) return '';
  const rows = await db
    .selectFrom('deliveries')
    .select(['subject_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where(
      'subject_id',
      'in',
      updates.map((u) => u.id),
    )
    .groupBy(['subject_id', 'state'])
    .execute();
  return rows
    .map((r) => `${r.subject_id}:${r.state}:${Number(r.n)}`)
    .sort()
    .join(',');
}

export interface DeadCount {
  incident_id: string | null;
  channel: string;
  n: number;
}

/**
 * Deliveries that gave up and wait for a person, by incident and channel
 * (the Now screen's). Read through the partial index of dead deliveries, so
 * it costs what there is to replay, not the delivery history.
 */
export async function deadDeliveries(db: Db): Promise<DeadCount[]> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['incident_id', 'channel', (eb) => eb.fn.countAll<number>().as('n')])
    .where('state', '=', 'dead')
    .groupBy(['incident_id', 'channel'])
    .orderBy('incident_id')
    .orderBy('channel')
    .execute();
  return rows.map((r) => ({ incident_id: r.incident_id, channel: r.channel, n: Number(r.n) }));
}
