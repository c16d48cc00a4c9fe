/**
 * The publish pipeline: every way an update goes out ends here (a direct
 * post, a submitted draft that needs no approval, an approved draft, the
 * plan's approval timeout), inside the caller's transaction, in this order:
 *
 *   0. the publisher's permission for what the update does (effects.ts);
 *   1. the row: the update's component changes, the incident's status,
 *      impact, ETA and key instants, the update itself as published;
 *   2. the fan-out: one outbox job to the update's subscribers, and a
 *      component event per component it moved (webhooks);
 *   3. the cadence deadline of the update's audience: the one step 1 wrote
 *      into its words (`{{ next_update_at }}`), adherence counted for that
 *      audience, reminders re-armed;
 *   4. the support brief, on an external update, to the support lead;
 *   5. the audit entry, and the page: re-rendered once the transaction commits.
 *
 * Everything up to the page is written in the one transaction, so an update
 * is never public without its notifications and cadence, nor the reverse.
 */

import { type ComponentStatus, impactOfComponents, worseImpact } from '../../domain/components.ts';
import { assertIncidentTransition, isOpen, stampInstants } from '../../domain/incidents.ts';
import { severityOf } from '../../plan/policy.ts';
import { type AffectedComponent, affectedComponentsOf, pendingOf } from '../../store/json.ts';
import type { ComponentRow, IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { keepCadence } from '../cadence/cadence.ts';
import { requireComponents } from '../components/queries.ts';
import type { Ctx } from '../context.ts';
import { moveComponentFor, statusesSeenBy } from '../incidents/drill-state.ts';
import { currentPlan } from '../plan/current.ts';
import { startSentimentWatch } from '../sentiment/watch.ts';
import { enqueueComponentEvents, enqueueUpdateFanout } from '../subscribers/notify.ts';
import { onCommit } from '../transaction.ts';
import { authorizeEffects } from './effects.ts';
import { fillAtPublication } from './next-update.ts';
import { sendSupportBrief } from './support-brief.ts';

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
  await authorizeEffects(tx, incident, draft);
  const { published, update, affected } = await writeRow(tx, incident, draft, options);
  await enqueueUpdateFanout(tx, published, update);
  await keepCadence(tx, published, update);
  if (update.audience !== 'internal') await sendSupportBrief(tx, incident.id, await currentPlan(tx.db));
  await audit(tx, {
    action: options.action,
    subjectType: 'incident',
    subjectId: incident.id,
    before: { status: incident.status, impact: incident.impact },
    after: {
      status: published.status,
      impact: published.impact,
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

/** Step 1: the components, the incident and the update row, as publishing leaves them. */
async function writeRow(tx: Ctx, incident: IncidentRow, draft: IncidentUpdateRow, options: PublishOptions) {
  const status = draft.status;
  assertIncidentTransition(incident.status, status);
  const now = tx.clock.now().toISOString();
  const pending = pendingOf(draft);
  const changed = await requireComponents(tx.db, Object.keys(pending.components));
  await requireComponents(tx.db, pending.component_ids);
  const moved = await applyComponents(tx, incident, changed, pending.components);
  await linkComponents(tx, incident, [...pending.component_ids, ...Object.keys(pending.components)]);
  // Statuses that went live when the update was posted (componentsLiveNow) count as its changes too.
  const affected = mergeAffected(affectedComponentsOf(draft), moved);

  const statuses = await statusesSeenBy(tx, incident);
  const override = pending.impact_override === undefined ? incident.impact_override : pending.impact_override;
  // Impact ratchets up while an incident runs: resolving it does not erase how bad it was.
  const derived = worseImpact(incident.impact, impactOfComponents(statuses.map((s) => s.status)));
  const impact = override ?? derived;

  const external = draft.audience !== 'internal';
  const change = {
    status,
    impact,
    impact_override: override,
    ...stampInstants(incident, status, now),
    ...(pending.eta !== undefined && { eta: pending.eta }),
    ...(external && incident.first_external_at === null && { first_external_at: now }),
    ...(!external && incident.first_internal_at === null && { first_internal_at: now }),
    updated_at: now,
  };
  await tx.db.updateTable('incidents').set(change).where('id', '=', incident.id).execute();
  // Reopened: its sentiment watch, ended when it closed, listens again.
  if (!isOpen(incident.status) && isOpen(status)) {
    await startSentimentWatch(tx, incident, await currentPlan(tx.db), true);
  }

  // The one "next update by": the deadline this publication sets, written into its words.
  const words = fillAtPublication(tx, await currentPlan(tx.db), incident, draft, now);
  const update: IncidentUpdateRow = {
    ...draft,
    ...words,
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
        body: update.body,
        rendered: update.rendered,
        translations: update.translations,
        next_update_at: update.next_update_at,
        affected_components: update.affected_components,
        lint: update.lint,
        lint_override: update.lint_override,
        updated_at: now,
        published_at: now,
        display_at: now,
        published_unapproved: update.published_unapproved,
      })
      .where('id', '=', draft.id)
      .execute();
  }
  const published: IncidentRow = { ...incident, ...change };
  return { published, update, affected };
}

/**
 * Sets the statuses the update names (a drill's as drill state: drill-state.ts); returns the
 * components whose status it changed.
 */
async function applyComponents(
  tx: Ctx,
  incident: IncidentRow,
  components: readonly ComponentRow[],
  statuses: Record<string, ComponentStatus>,
): Promise<AffectedComponent[]> {
  const affected: AffectedComponent[] = [];
  for (const component of components) {
    const next = statuses[component.id];
    if (next === undefined) continue;
    const old = await moveComponentFor(tx, incident, component, next);
    if (old !== null) {
      affected.push({ code: component.id, name: component.name, old_status: old, new_status: next });
    }
  }
  return affected;
}

/** Links the components the update names to the incident, once each. */
async function linkComponents(tx: Ctx, incident: IncidentRow, ids: readonly string[]): Promise<void> {
  const linked = new Set(ids);
  const existing = await tx.db
    .selectFrom('incident_components')
    .select('component_id')
    .where('incident_id', '=', incident.id)
    .execute();
  for (const { component_id } of existing) linked.delete(component_id);
  if (linked.size === 0) return;
  await tx.db
    .insertInto('incident_components')
    .values([...linked].map((component_id) => ({ incident_id: incident.id, component_id })))
    .execute();
}

/** Earlier changes first, each component once: from its first old status to its last new one. */
function mergeAffected(
  earlier: readonly AffectedComponent[],
  later: readonly AffectedComponent[],
): AffectedComponent[] {
  const merged = earlier.map((c) => ({ ...c }));
  for (const c of later) {
    const seen = merged.find((m) => m.code === c.code);
    if (seen) seen.new_status = c.new_status;
    else merged.push(c);
  }
  return merged;
}

/**
 * Component statuses are facts, not wording: when an update that names
 * them waits (for approval, or as a draft whose words need work), they go
 * live at once, on the page and to webhook subscribers as Statuspage
 * component events, unless the plan holds them for the approved message at
 * this severity (`components_wait_for_approval`). The changes are kept on
 * the update, which reports them as its own when it is published.
 */
export async function componentsLiveNow(
  tx: Ctx,
  incident: IncidentRow,
  row: IncidentUpdateRow,
): Promise<IncidentUpdateRow> {
  const pending = pendingOf(row);
  if (Object.keys(pending.components).length === 0) return row;
  const plan = await currentPlan(tx.db);
  if (severityOf(plan, incident.severity)?.components_wait_for_approval) return row;
  const changed = await requireComponents(tx.db, Object.keys(pending.components));
  const moved = await applyComponents(tx, incident, changed, pending.components);
  await linkComponents(tx, incident, Object.keys(pending.components));
  if (moved.length === 0) return row;
  const affected = JSON.stringify(mergeAffected(affectedComponentsOf(row), moved));
  await tx.db
    .updateTable('incident_updates')
    .set({ affected_components: affected })
    .where('id', '=', row.id)
    .execute();
  const next = { ...row, affected_components: affected };
  await enqueueComponentEvents(tx, incident, next, moved);
  onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incident.id }));
  return next;
}
