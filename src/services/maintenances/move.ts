/**
 * Moving a maintenance through its window: start, verify, complete, cancel.
 * Starting puts its components under maintenance; finishing returns those
 * still under maintenance to operational.
 */
import { z } from 'zod';
import { assertMaintenanceTransition, dueMove, type MaintenanceStatus } from '../../domain/maintenances.ts';
import { newId } from '../../store/ids.ts';
import type { MaintenanceRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { applyComponentStatus } from '../components/set-status.ts';
import { actingAs, type Ctx, systemActor } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { enqueueMaintenanceFanout } from '../subscribers/notify.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import type { MaintenanceView } from '../views.ts';
import { getMaintenance, lockMaintenance, requireMaintenance } from './queries.ts';

export const MoveMaintenanceInput = z.strictObject({ body: IncidentFields.body.optional() });
export type MoveMaintenanceInput = z.input<typeof MoveMaintenanceInput>;

const defaultBodies: Record<MaintenanceStatus, string> = {
  scheduled: 'Scheduled maintenance.',
  in_progress: 'Scheduled maintenance is currently in progress. We will provide updates as necessary.',
  verifying: 'Verification is currently underway for the maintenance items.',
  completed: 'The scheduled maintenance has been completed.',
  cancelled: 'The scheduled maintenance has been cancelled.',
};

async function applyMove(
  tx: Ctx,
  m: MaintenanceRow,
  to: MaintenanceStatus,
  body: string | undefined,
): Promise<void> {
  assertMaintenanceTransition(m.status, to);
  const now = tx.clock.now().toISOString();
  const components = await tx.db
    .selectFrom('maintenance_components')
    .innerJoin('components', 'components.id', 'maintenance_components.component_id')
    .selectAll('components')
    .where('maintenance_components.maintenance_id', '=', m.id)
    .execute();
  for (const c of components) {
    if (to === 'in_progress' && c.status === 'operational') {
      await applyComponentStatus(tx, c, 'under_maintenance', { maintenanceId: m.id });
    }
    if ((to === 'completed' || to === 'cancelled') && c.status === 'under_maintenance') {
      await applyComponentStatus(tx, c, 'operational', { maintenanceId: m.id });
    }
  }
  await tx.db
    .updateTable('maintenances')
    .set({
      status: to,
      sequence: m.sequence + 1,
      updated_at: now,
      ...(to === 'in_progress' && m.started_at === null && { started_at: now }),
      ...((to === 'completed' || to === 'cancelled') && { completed_at: now }),
    })
    .where('id', '=', m.id)
    .execute();
  await tx.db
    .insertInto('maintenance_updates')
    .values({
      id: newId(),
      maintenance_id: m.id,
      status: to,
      body: body ?? defaultBodies[to],
      created_by: tx.actor.id,
      created_at: now,
    })
    .execute();
  await audit(tx, {
    action: `maintenance.${to}`,
    subjectType: 'maintenance',
    subjectId: m.id,
    before: { status: m.status },
    after: { status: to },
  });
  // Those told of the window hear when it starts, ends, or is called off.
  if (to === 'in_progress' || to === 'completed' || to === 'cancelled') {
    await enqueueMaintenanceFanout(tx, { ...m, status: to, sequence: m.sequence + 1 }, to, 0);
  }
  onCommit(tx, () => tx.changes.publish({ kind: 'maintenance', id: m.id }));
}

export async function moveMaintenance(
  ctx: Ctx,
  id: string,
  to: MaintenanceStatus,
  raw: MoveMaintenanceInput = {},
): Promise<MaintenanceView> {
  authorize(ctx, 'maintenance.write');
  const input = MoveMaintenanceInput.parse(raw);
  await withTransaction(ctx, async (tx) => applyMove(tx, await lockMaintenance(tx.db, id), to, input.body));
  return getMaintenance(ctx.db, id);
}

/**
 * Makes the moves the clock calls for: starts windows that have begun and
 * completes those that have ended, as the system. Returns how many moved.
 */
export async function advanceMaintenances(ctx: Ctx): Promise<number> {
  const system = actingAs(ctx, systemActor);
  const candidates = await ctx.db
    .selectFrom('maintenances')
    .selectAll()
    .where('status', 'in', ['scheduled', 'in_progress', 'verifying'])
    .where('scheduled_for', '<=', ctx.clock.now().toISOString())
    .execute();
  let moves = 0;
  for (const candidate of candidates) {
    await withTransaction(system, async (tx) => {
      // Another process may have moved it meanwhile; the re-read below sees that.
      for (let m = await lockMaintenance(tx.db, candidate.id); ; m = await requireMaintenance(tx.db, m.id)) {
        const to = dueMove(
          {
            ...m,
            status: m.status,
            auto_start: m.auto_start === 1,
            auto_complete: m.auto_complete === 1,
          },
          tx.clock.now(),
        );
        if (to === null) break;
        await applyMove(tx, m, to, undefined);
        moves += 1;
      }
    });
  }
  return moves;
}
