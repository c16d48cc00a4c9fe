/**
 * A drill's component changes are drill state: kept on the drill's own
 * link to the component (`incident_components.drill_status`) and shown
 * only with the drill, while the public component never moves. A private
 * incident's are kept the same way and shown on its audience's private page
 * only. Other incidents move the component itself (components/set-status.ts).
 */
import { type ComponentStatus, impactOfComponents, worseImpact } from '../../domain/components.ts';
import type { ComponentRow, IncidentRow } from '../../store/schema.ts';
import { applyComponentStatus } from '../components/set-status.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';

type StateOwner = Pick<IncidentRow, 'id' | 'drill' | 'audience'>;

/** Whether the incident keeps its component changes to itself: a drill, or a private incident. */
export function keepsOwnState(incident: Pick<IncidentRow, 'drill' | 'audience'>): boolean {
  return incident.drill === 1 || incident.audience !== null;
}

/** The status the incident sees a component in: its own for a drill or private incident, the component's otherwise. */
export async function statusesSeenBy(
  tx: Pick<Ctx, 'db'>,
  incident: StateOwner,
): Promise<{ id: string; status: ComponentStatus }[]> {
  const rows = await tx.db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select(['components.id', 'components.status', 'incident_components.drill_status'])
    .where('incident_components.incident_id', '=', incident.id)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    status: keepsOwnState(incident) ? (r.drill_status ?? r.status) : r.status,
  }));
}

/**
 * Moves a component as the incident sees it: the component itself for a
 * public incident, its own state for a drill or a private incident. Returns the status it left,
 * or null when it was already there.
 */
export async function moveComponentFor(
  tx: Ctx,
  incident: StateOwner,
  component: ComponentRow,
  status: ComponentStatus,
): Promise<ComponentStatus | null> {
  if (!keepsOwnState(incident)) {
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
  if (incident.drill === 1) await ratchetImpact(tx, incident);
  return before;
}

/**
 * A drill's impact follows its drill state at once, as a public incident's
 * page follows its components: it rises with the worst status the drill
 * sees (never falls while the drill runs), unless someone set it by hand.
 */
async function ratchetImpact(tx: Ctx, incident: StateOwner): Promise<void> {
  const row = await tx.db
    .selectFrom('incidents')
    .select(['impact', 'impact_override'])
    .where('id', '=', incident.id)
    .executeTakeFirstOrThrow();
  if (row.impact_override !== null) return;
  const seen = await statusesSeenBy(tx, incident);
  const impact = worseImpact(row.impact, impactOfComponents(seen.map((s) => s.status)));
  if (impact === row.impact) return;
  await tx.db
    .updateTable('incidents')
    .set({ impact, updated_at: tx.clock.now().toISOString() })
    .where('id', '=', incident.id)
    .execute();
}
