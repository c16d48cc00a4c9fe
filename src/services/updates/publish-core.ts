/**
 * Publishing one update: its component changes, the incident's status,
 * impact and key instants, the update row itself, then `afterPublish`
 * (notifications, cadence) and the audit entry, all in the caller's
 * transaction. Every way an update goes out ends here: a direct post, an
 * approved draft, an approval timeout.
 */
import {
  type ComponentStatus,
  type Impact,
  impactOfComponents,
  worseImpact,
} from '../../domain/components.ts';
import { assertIncidentTransition, type IncidentStatus, stampInstants } from '../../domain/incidents.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import { applyComponentStatus } from '../components/set-status.ts';
import type { Ctx } from '../context.ts';
import { afterPublish } from '../incidents/publish.ts';
import { onCommit } from '../transaction.ts';
import type { AffectedComponent } from '../views.ts';

/** What an update changes when it is published; kept on a draft until then. */
export interface PendingChanges {
  components: Record<string, ComponentStatus>;
  component_ids: string[];
  /** Absent: keep the incident's override. */
  impact_override?: Impact | null;
}

export function pendingOf(row: IncidentUpdateRow): PendingChanges {
  return row.pending === null
    ? { components: {}, component_ids: [] }
    : (JSON.parse(row.pending) as PendingChanges);
}

export interface PublishOptions {
  action: string;
  /** Insert the row (a direct post) rather than update a stored draft. */
  insert: boolean;
  /** Recorded when the plan's approval timeout published it. */
  unapproved?: boolean;
}

export async function publishRow(
  tx: Ctx,
  incident: IncidentRow,
  draft: IncidentUpdateRow,
  options: PublishOptions,
): Promise<IncidentUpdateRow> {
  const status = draft.status as IncidentStatus;
  assertIncidentTransition(incident.status as IncidentStatus, status);
  const now = tx.clock.now().toISOString();
  const pending = pendingOf(draft);

  const changed = await requireComponents(tx.db, Object.keys(pending.components));
  await requireComponents(tx.db, pending.component_ids);
  const affected: AffectedComponent[] = [];
  for (const component of changed) {
    const next = pending.components[component.id] as ComponentStatus;
    if (await applyComponentStatus(tx, component, next, { incidentId: incident.id })) {
      affected.push({
        code: component.id,
        name: component.name,
        old_status: component.status as ComponentStatus,
        new_status: next,
      });
    }
  }

  const linked = new Set([...pending.component_ids, ...Object.keys(pending.components)]);
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
  const override = pending.impact_override === undefined ? incident.impact_override : pending.impact_override;
  // Impact ratchets up while an incident runs: resolving it does not erase how bad it was.
  const derived = worseImpact(
    incident.impact as Impact,
    impactOfComponents(statuses.map((s) => s.status as ComponentStatus)),
  );
  const impact = (override as Impact | null) ?? derived;

  const instants = stampInstants(incident, status, now);
  const external = draft.audience !== 'internal';
  const firstExternal = external && incident.first_external_at === null;
  const firstInternal = !external && incident.first_internal_at === null;
  const change = {
    status,
    impact,
    impact_override: override,
    ...instants,
    ...(firstExternal && { first_external_at: now }),
    ...(firstInternal && { first_internal_at: now }),
    updated_at: now,
  };
  await tx.db.updateTable('incidents').set(change).where('id', '=', incident.id).execute();

  const update: IncidentUpdateRow = {
    ...draft,
    state: 'published',
    affected_components: JSON.stringify(affected),
    updated_at: now,
    published_at: now,
    display_at: now,
    published_unapproved: options.unapproved ? 1 : 0,
  };
  if (options.insert) await tx.db.insertInto('incident_updates').values(update).execute();
  else {
    await tx.db
      .updateTable('incident_updates')
      .set({
        state: update.state,
        affected_components: update.affected_components,
        updated_at: now,
        published_at: now,
        display_at: now,
        published_unapproved: update.published_unapproved,
      })
      .where('id', '=', draft.id)
      .execute();
  }
  const published: IncidentRow = { ...incident, ...change };
  await afterPublish(tx, published, update);
  await audit(tx, {
    action: options.action,
    subjectType: 'incident',
    subjectId: incident.id,
    before: { status: incident.status, impact: incident.impact },
    after: {
      status,
      impact,
      update_id: update.id,
      body: update.body,
      audience: update.audience,
      affected_components: affected,
      ...(options.unapproved && { published_unapproved: true }),
    },
  });
  onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incident.id }));
  return update;
}
