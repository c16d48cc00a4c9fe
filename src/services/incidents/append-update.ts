/**
 * The one way an update joins an incident's timeline. Without a plan, or
 * when the plan needs no approval at the incident's severity, an update is
 * published at once (after lint, when a plan is loaded). Where the plan asks
 * for approval, an external update waits in `pending_approval`. Internal
 * updates are never linted and never wait. Verbs (declare, post, resolve)
 * call it inside their transaction.
 */

import { needsApproval } from '../../domain/approval.ts';
import type { ComponentStatus, Impact } from '../../domain/components.ts';
import { assertIncidentTransition, type IncidentStatus } from '../../domain/incidents.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import { newId } from '../../store/ids.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { enterApproval } from '../updates/approval-core.ts';
import {
  assertAudience,
  type LintOverride,
  lintUpdate,
  requireLintPass,
  type Variants,
} from '../updates/gate.ts';
import { type PendingChanges, publishRow } from '../updates/publish-core.ts';

export interface AppendUpdate {
  status: IncidentStatus;
  body: string;
  audience: string;
  deliverNotifications: boolean;
  components: Record<string, ComponentStatus>;
  componentIds: readonly string[];
  impactOverride?: Impact | null;
  action: string;
  lintOverride?: LintOverride;
  variants?: Variants;
  /**
   * What to do when lint fails and nobody overrides it: `refuse` (the
   * default) throws lint_failed; `keep_draft` keeps the update as a draft
   * (declaring an incident must not fail because its first words need work).
   */
  onLintFailure?: 'refuse' | 'keep_draft';
}

export function newUpdateRow(tx: Ctx, incident: IncidentRow, input: AppendUpdate): IncidentUpdateRow {
  const now = tx.clock.now().toISOString();
  const pending: PendingChanges = {
    components: input.components,
    component_ids: [...input.componentIds],
    ...(input.impactOverride !== undefined && { impact_override: input.impactOverride }),
  };
  return {
    id: newId(),
    incident_id: incident.id,
    status: input.status,
    body: input.body,
    state: 'draft',
    audience: input.audience,
    deliver_notifications: input.deliverNotifications ? 1 : 0,
    affected_components: '[]',
    created_by: tx.actor.id,
    created_at: now,
    updated_at: now,
    published_at: null,
    display_at: now,
    round: 0,
    submitted_at: null,
    pending: JSON.stringify(pending),
    lint: null,
    lint_override: null,
    published_unapproved: 0,
    rendered:
      input.variants && Object.keys(input.variants).length > 0 ? JSON.stringify(input.variants) : null,
  };
}

export async function appendUpdate(
  tx: Ctx,
  incident: IncidentRow,
  input: AppendUpdate,
): Promise<IncidentUpdateRow> {
  assertIncidentTransition(incident.status as IncidentStatus, input.status);
  const row = newUpdateRow(tx, incident, input);
  const plan = await currentPlan(tx.db);
  if (plan === null || input.audience === 'internal') {
    return publishRow(tx, incident, row, { action: input.action, insert: true });
  }
  assertAudience(plan, incident, input.audience);
  const problems = await lintUpdate(
    tx,
    plan,
    incident.id,
    input.status,
    input.audience,
    input.body,
    input.variants ?? {},
  );
  if (problems.length > 0 && input.lintOverride === undefined && input.onLintFailure === 'keep_draft') {
    const draft = { ...row, lint: JSON.stringify(problems) };
    await tx.db.insertInto('incident_updates').values(draft).execute();
    await audit(tx, {
      action: 'incident_update.draft',
      subjectType: 'incident_update',
      subjectId: row.id,
      after: { state: 'draft', body: row.body, lint: problems },
    });
    return draft;
  }
  const verdict = await requireLintPass(tx, incident.id, problems, input.lintOverride);
  const policy = approvalPolicy(plan, incident.severity);
  if (needsApproval(policy, input.audience)) {
    return enterApproval(tx, incident, row, plan, policy, verdict, { insert: true });
  }
  const checked: IncidentUpdateRow = {
    ...row,
    lint: JSON.stringify(verdict.problems),
    lint_override: verdict.override === null ? null : JSON.stringify(verdict.override),
  };
  return publishRow(tx, incident, checked, { action: input.action, insert: true });
}
