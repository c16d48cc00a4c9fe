import type { ComponentStatus } from '../../domain/components.ts';
import type { ComponentRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit } from '../transaction.ts';

export interface StatusCause {
  incidentId?: string;
  maintenanceId?: string;
}

/**
 * Moves one component to a status and records the change in its history.
 * A building block for verbs: call it inside their transaction. Returns
 * false when the status was already the one asked for. Every path that
 * moves a component comes through here, so the actor's permission to move
 * one is checked here too, whatever the verb.
 */
export async function applyComponentStatus(
  tx: Ctx,
  component: ComponentRow,
  status: ComponentStatus,
  cause: StatusCause = {},
): Promise<boolean> {
  if (component.status === status) return false;
  authorize(tx, 'component.status');
  const at = tx.clock.now().toISOString();
  await tx.db
    .updateTable('components')
    .set({ status, updated_at: at })
    .where('id', '=', component.id)
    .execute();
  await tx.db
    .insertInto('component_status_history')
    .values({
      component_id: component.id,
      status,
      at,
      incident_id: cause.incidentId ?? null,
      maintenance_id: cause.maintenanceId ?? null,
    })
    .execute();
  onCommit(tx, () => tx.changes.publish({ kind: 'component', id: component.id }));
  return true;
}
