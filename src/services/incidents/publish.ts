/**
 * What happens when an update is published, inside the publishing
 * transaction. Every path that publishes (direct post, approval, timeout)
 * ends here, so notifications and cadence can never be skipped: the
 * outbox fan-out job and the next-update deadline are written in the same
 * transaction as the update itself.
 */
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { onPublished } from '../cadence/cadence.ts';
import type { Ctx } from '../context.ts';
import { enqueueUpdateFanout } from '../subscribers/notify.ts';

export async function afterPublish(tx: Ctx, incident: IncidentRow, update: IncidentUpdateRow): Promise<void> {
  await enqueueUpdateFanout(tx, incident, update);
  await onPublished(tx, incident, update);
}
