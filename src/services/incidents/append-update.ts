/**
 * The one way an update joins an incident's timeline: status move, component
 * changes, impact, key instants, the update row and its audit entry. Verbs
 * (declare, post, resolve) call it inside their transaction.
 */
import {
  type ComponentStatus,
  type Impact,
  impactOfComponents,
  worseImpact,
} from '../../domain/components.ts';
import { assertIncidentTransition, type IncidentStatus, stampInstants } from '../../domain/incidents.ts';
import { newId } from '../../store/ids.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import { applyComponentStatus } from '../components/set-status.ts';
import type { Ctx } from '../context.ts';
import { onCommit } from '../transaction.ts';
import type { AffectedComponent } from '../views.ts';
import { afterPublish } from './publish.ts';

export interface AppendUpdate {
  status: IncidentStatus;
  body: string;
  audience: string;
  deliverNotifications: boolean;
  components: Record<string, ComponentStatus>;
  componentIds: readonly string[];
  impactOverride?: Impact | null;
  action: string;
}

export async function appendUpdate(
  tx: Ctx,
  incident: IncidentRow,
  input: AppendUpdate,
): Promise<IncidentUpdateRow> {
  assertIncidentTransition(incident.status as IncidentStatus, input.status);
  const now = tx.clock.now().toISOString();

  const changed = await requireComponents(tx.db, Object.keys(input.components));
  await requireComponents(tx.db, input.componentIds);
  const affected: AffectedComponent[] = [];
  for (const component of changed) {
    const status = input.components[component.id] as ComponentStatus;
    if (await applyComponentStatus(tx, component, status, { incidentId: incident.id })) {
      affected.push({
        code: component.id,
        name: component.name,
        old_status: component.status as ComponentStatus,
        new_status: status,
      });
    }
  }

  const linked = new Set([...input.componentIds, ...Object.keys(input.components)]);
  const existing = await tx.db
    .selectFrom('incident_components')
    .select('component_id')
    .where('incident_id', '=', incident.id)
    .execute();
  for (const { component_id } of existing) linked.delete(component_id);
  if (linked.size > 0) {
    await tx.db
      .insertInto('incident_components')
      .values([...linked].map((component_id) => ({ incident_id: incident.id, component_id })))
      .execute();
  }

  const statuses = await tx.db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select('components.status')
    .where('incident_components.incident_id', '=', incident.id)
    .execute();
  const override = input.impactOverride === undefined ? incident.impact_override : input.impactOverride;
  // Impact ratchets up while an incident runs: resolving it does not erase how bad it was.
  const derived = worseImpact(
    incident.impact as Impact,
    impactOfComponents(statuses.map((s) => s.status as ComponentStatus)),
  );
  const impact = override ?? derived;

  const instants = stampInstants(incident, input.status, now);
  const external = input.audience !== 'internal';
  await tx.db
    .updateTable('incidents')
    .set({
      status: input.status,
      impact,
      impact_override: override,
      ...instants,
      ...(external && incident.first_external_at === null && { first_external_at: now }),
      ...(!external && incident.first_internal_at === null && { first_internal_at: now }),
      updated_at: now,
    })
    .where('id', '=', incident.id)
    .execute();

  const update: IncidentUpdateRow = {
    id: newId(),
    incident_id: incident.id,
    status: input.status,
    body: input.body,
    state: 'published',
    audience: input.audience,
    deliver_notifications: input.deliverNotifications ? 1 : 0,
    affected_components: JSON.stringify(affected),
    created_by: tx.actor.id,
    created_at: now,
    updated_at: now,
    published_at: now,
    display_at: now,
  };
  await tx.db.insertInto('incident_updates').values(update).execute();
  await afterPublish(tx, { ...incident, status: input.status, impact }, update);
  await audit(tx, {
    action: input.action,
    subjectType: 'incident',
    subjectId: incident.id,
    before: { status: incident.status, impact: incident.impact },
    after: {
      status: input.status,
      impact,
      update_id: update.id,
      body: input.body,
      affected_components: affected,
    },
  });
  onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incident.id }));
  return update;
}
