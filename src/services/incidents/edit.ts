import { z } from 'zod';
import { type Impact, impactOfComponents, impacts } from '../../domain/components.ts';
import { CrierError } from '../../domain/errors.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { affectedComponentsOf } from '../../store/json.ts';
import type { IncidentRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { recadence } from '../cadence/cadence.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { requireApprover } from '../updates/approval.ts';
import type { IncidentView } from '../views.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident, lockIncident } from './queries.ts';

export const EditIncidentInput = z
  .strictObject({
    name: IncidentFields.name,
    impact_override: z.enum(impacts).nullable(),
    severity: IncidentFields.severity.nullable(),
    eta: IncidentFields.instant.nullable(),
    started_at: IncidentFields.instant,
  })
  .partial();
export type EditIncidentInput = z.input<typeof EditIncidentInput>;

/**
 * The severity decides who approves external updates, so changing it is an
 * approver's call: with a plan, the new severity must be one it defines, and
 * while the current severity asks for approval only someone who may approve
 * under it may change it (otherwise a responder could move a SEV1 to a
 * severity without approval and publish unread words). From a severity that
 * needs no approval, any move only adds approval, so anyone may make it.
 */
async function checkSeverityChange(tx: Ctx, plan: Plan | null, incident: IncidentRow, next: string | null) {
  if (plan === null) return;
  if (next !== null && !(next in plan.severities)) {
    throw new CrierError('validation_failed', `The plan has no severity "${next}".`, [
      { path: 'severity', message: `one of: ${Object.keys(plan.severities).join(', ') || 'none defined'}` },
    ]);
  }
  const policy = approvalPolicy(plan, incident.severity);
  if (policy.kind === 'none') return;
  authorize(tx, 'update.approve');
  await requireApprover(
    tx,
    incident.id,
    policy,
    `Changing the severity of a ${incident.severity} incident changes who approves its updates; only an approver named by the plan for ${incident.severity} may do it.`,
  );
}

/**
 * The impact the incident's components have implied over its life: the worst
 * status any of its updates set, or they hold now. What `impact` falls back
 * to when an override is cleared.
 */
async function impactWithoutOverride(tx: Ctx, incidentId: string): Promise<Impact> {
  const updates = await tx.db
    .selectFrom('incident_updates')
    .select('affected_components')
    .where('incident_id', '=', incidentId)
    .execute();
  const current = await tx.db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select('components.status')
    .where('incident_components.incident_id', '=', incidentId)
    .execute();
  const statuses = [
    ...updates.flatMap((u) => affectedComponentsOf(u).map((c) => c.new_status)),
    ...current.map((c) => c.status),
  ];
  return impactOfComponents(statuses);
}

/** Edits an incident's own fields; status moves go through updates. */
export async function editIncident(ctx: Ctx, id: string, raw: EditIncidentInput): Promise<IncidentView> {
  authorize(ctx, 'incident.update');
  const input = EditIncidentInput.parse(raw);
  await withTransaction(ctx, async (tx) => {
    const before = await lockIncident(tx.db, id);
    const plan = await currentPlan(tx.db);
    const severityChanged = input.severity !== undefined && input.severity !== before.severity;
    if (severityChanged) await checkSeverityChange(tx, plan, before, input.severity ?? null);
    const patch = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.impact_override !== undefined && {
        impact_override: input.impact_override,
        impact: input.impact_override ?? (await impactWithoutOverride(tx, id)),
      }),
      ...(input.severity !== undefined && { severity: input.severity }),
      ...(input.eta !== undefined && { eta: input.eta }),
      ...(input.started_at !== undefined && { started_at: input.started_at }),
    };
    const updatedAt = tx.clock.now().toISOString();
    await tx.db
      .updateTable('incidents')
      .set({ ...patch, updated_at: updatedAt })
      .where('id', '=', id)
      .execute();
    // The cadence follows the severity: the deadline moves and the reminders are re-armed.
    if (severityChanged && plan !== null) {
      await recadence(tx, plan, { ...before, ...patch, updated_at: updatedAt });
    }
    const was: Readonly<Record<string, unknown>> = before;
    await audit(tx, {
      action: 'incident.edit',
      subjectType: 'incident',
      subjectId: id,
      before: Object.fromEntries(Object.keys(patch).map((k) => [k, was[k]])),
      after: patch,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id }));
  });
  return getIncident(ctx.db, id);
}
