import { z } from 'zod';
import { impacts } from '../../domain/components.ts';
import { assertWindow } from '../../domain/maintenances.ts';
import { newId } from '../../store/ids.ts';
import type { MaintenanceRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { enqueueMaintenanceFanout } from '../subscribers/notify.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import type { MaintenanceView } from '../views.ts';
import { getMaintenance } from './queries.ts';

export const ScheduleMaintenanceInput = z.strictObject({
  name: IncidentFields.name,
  /** Statuspage schedules a maintenance as an incident that says `scheduled`; a new one is always that. */
  status: z.literal('scheduled').optional(),
  body: IncidentFields.body.default('Scheduled maintenance.'),
  scheduled_for: IncidentFields.instant,
  scheduled_until: IncidentFields.instant,
  component_ids: IncidentFields.component_ids.default([]),
  impact: z.enum([...impacts, 'maintenance']).default('maintenance'),
  scheduled_auto_in_progress: z.boolean().default(true),
  scheduled_auto_completed: z.boolean().default(true),
});
export type ScheduleMaintenanceInput = z.input<typeof ScheduleMaintenanceInput>;

export async function scheduleMaintenance(ctx: Ctx, raw: ScheduleMaintenanceInput): Promise<MaintenanceView> {
  authorize(ctx, 'maintenance.write');
  const input = ScheduleMaintenanceInput.parse(raw);
  assertWindow(input.scheduled_for, input.scheduled_until);
  const id = await withTransaction(ctx, async (tx) => {
    await requireComponents(tx.db, input.component_ids);
    const now = tx.clock.now().toISOString();
    const row: MaintenanceRow = {
      id: newId(),
      name: input.name,
      status: 'scheduled',
      impact: input.impact,
      body: input.body,
      scheduled_for: input.scheduled_for,
      scheduled_until: input.scheduled_until,
      auto_start: input.scheduled_auto_in_progress ? 1 : 0,
      auto_complete: input.scheduled_auto_completed ? 1 : 0,
      started_at: null,
      completed_at: null,
      sequence: 0,
      created_by: tx.actor.id,
      created_at: now,
      updated_at: now,
    };
    await tx.db.insertInto('maintenances').values(row).execute();
    const links = [...new Set(input.component_ids)].map((component_id) => ({
      maintenance_id: row.id,
      component_id,
    }));
    if (links.length > 0) await tx.db.insertInto('maintenance_components').values(links).execute();
    await tx.db
      .insertInto('maintenance_updates')
      .values({
        id: newId(),
        maintenance_id: row.id,
        status: 'scheduled',
        body: input.body,
        created_by: tx.actor.id,
        created_at: now,
      })
      .execute();
    await audit(tx, {
      action: 'maintenance.schedule',
      subjectType: 'maintenance',
      subjectId: row.id,
      after: { ...row, component_ids: input.component_ids },
    });
    await enqueueMaintenanceFanout(tx, row, 'scheduled', tx.config.maintenanceReminderMinutes);
    onCommit(tx, () => tx.changes.publish({ kind: 'maintenance', id: row.id }));
    return row.id;
  });
  return getMaintenance(ctx.db, id);
}
