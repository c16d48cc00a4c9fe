/**
 * Submitting an update: lint must pass (or be overridden by a comms lead
 * with a reason). Where the plan asks for approval at the incident's
 * severity it then waits in `pending_approval`; otherwise it is published
 * now. A stored draft is submitted with `submitDraft`; a new update (a
 * direct post, a declaration's first words, a resolution) with
 * `submitRow` inside its verb's transaction.
 */
import { z } from 'zod';
import { needsApproval } from '../../domain/approval.ts';
import { assertUpdateTransition } from '../../domain/updates.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { enterApproval } from './approval.ts';
import { authorizeEffects } from './effects.ts';
import { LintOverride, lintRow, requireLintPass, storedOverride, withVerdict } from './gate.ts';
import { publishRow } from './pipeline.ts';
import { lockUpdate } from './rows.ts';
import { type DraftView, loadDraftView } from './views.ts';

export const SubmitInput = z.strictObject({ lint_override: LintOverride.optional() });
export type SubmitInput = z.input<typeof SubmitInput>;

export async function submitDraft(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: SubmitInput = {},
): Promise<DraftView> {
  authorize(ctx, 'incident.update');
  const input = SubmitInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockUpdate(tx, incidentId, updateId);
    const next = await submitRow(tx, incident, row, { insert: false, lintOverride: input.lint_override });
    if (next.state === 'pending_approval') {
      onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    }
    return loadDraftView(tx.db, next);
  });
}

export interface SubmitOptions {
  /** A new row, written here, rather than a stored draft. */
  insert: boolean;
  /** The audit action if it is published now; by default resolving or updating, as the status says. */
  action?: string;
  lintOverride?: LintOverride | undefined;
  /**
   * A new row that fails lint, with no override, is kept as a draft instead
   * of refused (declaring an incident must not fail because its first words
   * need work).
   */
  keepDraftOnLintFailure?: boolean;
}

/** Lints the row and sends it where the plan says: to approval, or out through the pipeline. */
export async function submitRow(
  tx: Ctx,
  incident: IncidentRow,
  row: IncidentUpdateRow,
  options: SubmitOptions,
): Promise<IncidentUpdateRow> {
  const plan = await currentPlan(tx.db);
  const policy = approvalPolicy(plan, incident.severity, incident.drill_speed);
  const approval = needsApproval(policy, row.audience);
  assertUpdateTransition(row.state, approval ? 'pending_approval' : 'published');
  // The plan's approval timeout publishes as the system: what may go out without anyone's
  // approval does only what its submitter may do.
  if (approval && policy.kind === 'roles' && policy.publishUnapprovedAfterMs !== null) {
    await authorizeEffects(tx, incident, row);
  }
  const problems = await lintRow(tx, plan, row);
  if (problems.length > 0 && options.lintOverride === undefined && options.keepDraftOnLintFailure) {
    const draft = { ...row, lint: JSON.stringify(problems) };
    if (options.insert) await tx.db.insertInto('incident_updates').values(draft).execute();
    await audit(tx, {
      action: 'incident_update.draft',
      subjectType: 'incident_update',
      subjectId: row.id,
      after: { state: 'draft', body: row.body, lint: problems },
    });
    return draft;
  }
  // A comms lead's earlier override covers the words it was given for when they go out; a new
  // round of approval asks for it again.
  const override = approval ? options.lintOverride : (options.lintOverride ?? storedOverride(row));
  const verdict = await requireLintPass(tx, incident.id, problems, override);
  if (approval) return enterApproval(tx, incident, row, plan, policy, verdict, { insert: options.insert });
  return publishRow(tx, incident, withVerdict(row, verdict), {
    action: options.action ?? (row.status === 'resolved' ? 'incident.resolve' : 'incident.update'),
    insert: options.insert,
  });
}
