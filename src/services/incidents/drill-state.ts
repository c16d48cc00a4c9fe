/**
 * A drill's component changes are drill state: kept on the drill's own
 * link to the component (`incident_components.drill_status`) and shown
 * only with the drill, while the public component never moves. Real
 * incidents move the component itself (components/set-status.ts).
 */
import type { ComponentStatus } from '../../domain/components.ts';
import type { ComponentRow, IncidentRow } from '../../store/schema.ts';
import { applyComponentStatus } from '../components/set-status.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';

/** The status the incident sees a component in: the drill's own for a drill, the component's otherwise. */
export async function statusesSeenBy(
  tx: Pick<Ctx, 'db'>,
  incident: Pick<IncidentRow, 'id' | 'drill'>,
): Promise<{ id: string; status: ComponentStatus }[]> {
  const rows = await tx.db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select(['components.id', 'components.status', 'incident_components.drill_status'])
    .where('incident_components.incident_id', '=', incident.id)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    status: incident.drill === 1 ? (r.drill_status ?? r.status) : r.status,
  }));
}

/**
 * Moves a component as the incident sees it: the component itself for a
 * real incident, the drill's state for a drill. Returns the status it left,
 * or null when it was already there.
 */
export async function moveComponentFor(
  tx: Ctx,
  incident: Pick<IncidentRow, 'id' | 'drill'>,
  component: ComponentRow,
  status: ComponentStatus,
): Promise<ComponentStatus | null> {
  if (incident.drill !== 1) {
    return (await applyComponentStatus(tx, component, status, { incidentId: incident.id }))
      ? component.status
      : null;
  }
  const link = await tx.db
    .selectFrom('incident_components')
    .select('drill_status')
    .where('incident_id', '=', incident.id)
    .where('component_id', '=', component.id)
    .executeTakeFirst();
  const before = link?.drill_status ?? component.status;
  if (before === status) return null;
  authorize(tx, 'component.status');
  await tx.db
    .insertInto('incident_components')
    .values({ incident_id: incident.id, component_id: component.id, drill_status: status })
    .onConflict((oc) => oc.columns(['incident_id', 'component_id']).doUpdateSet({ drill_status: status }))
    .execute();
  return before;
}
