/**
 * A maintenance's reminder (an outbox timer armed when it was scheduled)
 * fell due: its subscribers hear that it starts soon, unless it was moved,
 * started or cancelled since, in which case a newer reminder (or none)
 * applies. Runs in the worker.
 */

import { enqueueJob, type JobPayloads } from '../../store/outbox.ts';
import type { Ctx } from '../context.ts';
import { withTransaction } from '../transaction.ts';

export async function maintenanceReminderDue(
  ctx: Ctx,
  job: JobPayloads['maintenance.reminder'],
): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const m = await tx.db
      .selectFrom('maintenances')
      .selectAll()
      .where('id', '=', job.maintenance_id)
      .executeTakeFirst();
    if (m?.status !== 'scheduled' || m.scheduled_for !== job.scheduled_for) return;
    const components = await tx.db
      .selectFrom('maintenance_components')
      .select('component_id')
      .where('maintenance_id', '=', m.id)
      .execute();
    await enqueueJob(tx, {
      kind: 'fanout',
      payload: {
        subject_type: 'maintenance',
        subject_id: `${m.id}:reminder:${m.scheduled_for}`,
        maintenance_id: m.id,
        event: 'reminder',
        audience: 'public',
        component_ids: components.map((c) => c.component_id),
        sms_default: false,
        drill: false,
      },
    });
  });
}
