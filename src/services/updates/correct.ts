import { z } from 'zod';
import { needsApproval } from '../../domain/approval.ts';
import { CrierError } from '../../domain/errors.ts';
import { fillNextUpdate } from '../../domain/templates.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import { queueCorrections } from '../../store/social-posts.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type IncidentUpdateView, updateView } from '../views.ts';
import { requireApprover } from './approval.ts';
import { LintOverride, lintUpdate, requireLintPass } from './gate.ts';
import { languageFor, nextUpdateText } from './next-update.ts';
import { lockUpdate, variantsOf } from './rows.ts';

export const CorrectUpdateInput = z.strictObject({
  body: IncidentFields.body,
  lint_override: LintOverride.optional(),
});
export type CorrectUpdateInput = z.input<typeof CorrectUpdateInput>;

/**
 * Corrects the text of a published update, keeping a record of every edit.
 * The new words meet the same bar as a draft: lint passes (or the comms lead
 * overrides it with a reason), and where the plan asks for approval at the
 * incident's severity the editor must be one of its approvers, so the
 * correction carries their approval. A policy that needs more than one
 * approver cannot be met by one person: post a new update instead.
 */
export async function correctUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: CorrectUpdateInput,
): Promise<IncidentUpdateView> {
  authorize(ctx, 'update.edit_published');
  const input = CorrectUpdateInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { incident, row: before } = await lockUpdate(tx, incidentId, updateId);
    if (before.state !== 'published') {
      throw new CrierError(
        'transition_not_allowed',
        'Only a published update is edited this way; edit the draft instead.',
        {
          state: before.state,
        },
      );
    }
    const plan = await currentPlan(tx.db);
    const policy = approvalPolicy(plan, incident.severity);
    let approvedAs: string | null = null;
    if (needsApproval(policy, before.audience) && policy.kind === 'roles') {
      if (policy.count > 1) {
        throw new CrierError(
          'approval_required',
          `The plan needs ${policy.count} approvers for ${before.audience} updates at ${incident.severity}; one person cannot correct a published one. Post a new update instead.`,
          { policy },
        );
      }
      approvedAs = await requireApprover(
        tx,
        incidentId,
        policy,
        `The plan asks for approval of ${before.audience} updates at ${incident.severity}; only an approver it names may correct a published one.`,
      );
    }
    // A correction keeps the next update time its publication set: `{{ next_update_at }}` is that instant,
    // in the page's language, the one the update's own words are in.
    const body =
      before.next_update_at === null || before.published_at === null
        ? input.body
        : fillNextUpdate(
            input.body,
            nextUpdateText(tx, plan, before.next_update_at, before.published_at, languageFor(plan)),
          );
    const problems = await lintUpdate(
      tx,
      plan,
      incidentId,
      before.status,
      before.audience,
      body,
      variantsOf(before),
    );
    const verdict = await requireLintPass(tx, incidentId, problems, input.lint_override);
    const now = tx.clock.now().toISOString();
    const changes = {
      body,
      lint: plan === null ? before.lint : JSON.stringify(verdict.problems),
      lint_override: verdict.override === null ? before.lint_override : JSON.stringify(verdict.override),
      updated_at: now,
    };
    await tx.db.updateTable('incident_updates').set(changes).where('id', '=', updateId).execute();
    const edit = await tx.db
      .insertInto('update_edits')
      .values({
        update_id: updateId,
        old_body: before.body,
        new_body: body,
        actor: tx.actor.id,
        at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // The social posts of the update are corrected too (edited where the network allows it).
    await queueCorrections(tx.db, { incidentId, updateId, editId: edit.id, now: tx.clock.now() });
    await audit(tx, {
      action: 'incident_update.edit',
      subjectType: 'incident_update',
      subjectId: updateId,
      before: { body: before.body },
      after: {
        body,
        ...(approvedAs !== null && { approved_as: approvedAs }),
        ...(verdict.override && { lint_override: verdict.override, lint: verdict.problems }),
      },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    return updateView({ ...before, ...changes });
  });
}
