/**
 * An approver's decision on a draft pending approval, shared by approving
 * and rejecting. Who may decide follows the plan and, once every approver
 * it names wrote or changed the draft, its fallback, then an admin as the
 * last resort with a written reason (src/domain/approval-eligibility.ts):
 * someone always can. Once per approver and round, recorded with the group
 * they decided as and why they could, and audited. Once the plan's
 * approvals are complete the draft is approved (and, when asked,
 * published), or rejected, and its authors are told why.
 */
import { approvalOutcome } from '../../domain/approval.ts';
import { approvalEligibility, type Eligibility } from '../../domain/approval-eligibility.ts';
import { CrierError } from '../../domain/errors.ts';
import type { UpdateState } from '../../domain/updates.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { verbSpan } from '../traced.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { approvalPeople, tellAuthorsOfRejection } from './approval.ts';
import { publishChecked } from './publish.ts';
import { lockUpdate } from './rows.ts';
import { type DraftView, decisionsOf, loadDraftView } from './views.ts';

export interface Decision {
  decision: 'approve' | 'reject';
  comment: string | null;
  /** Publish as soon as the approvals are complete. */
  publish: boolean;
  /** Why an admin approves as the last resort; required then. */
  reason: string | null;
}

export async function decide(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  { decision, comment, publish, reason }: Decision,
): Promise<DraftView> {
  authorize(ctx, 'update.approve');
  return verbSpan(ctx, 'decide', () =>
    withTransaction(ctx, async (tx) => {
      const { incident, row } = await lockUpdate(tx, incidentId, updateId);
      if (row.state !== 'pending_approval') {
        throw new CrierError(
          'transition_not_allowed',
          `Only an update pending approval can be decided; this one is ${row.state}.`,
          { state: row.state },
        );
      }
      const plan = await currentPlan(tx.db);
      const policy = approvalPolicy(plan, incident.severity);
      const earlier = (await decisionsOf(tx.db, row.id)).filter((d) => d.round === row.round);
      if (earlier.some((d) => d.actor === tx.actor.id)) {
        throw new CrierError('conflict', 'You have already decided on this version of the update.', {
          decisions: earlier,
        });
      }
      const people = await approvalPeople(tx, incident.id, row, earlier);
      const eligibility = eligible(tx, policy, people, decision, reason);
      const now = tx.clock.now().toISOString();
      await tx.db
        .insertInto('update_decisions')
        .values({
          update_id: row.id,
          round: row.round,
          actor: tx.actor.id,
          as_role: eligibility.as,
          decision,
          comment,
          at: now,
          basis: eligibility.basis,
          why: eligibility.why,
          reason: eligibility.basis === 'last_resort' ? reason : null,
        })
        .execute();
      const outcome = approvalOutcome(policy, [...earlier, { actor: tx.actor.id, decision }]);
      const state: UpdateState = outcome === 'pending' ? 'pending_approval' : outcome;
      if (state !== row.state) {
        await tx.db
          .updateTable('incident_updates')
          .set({ state, updated_at: now })
          .where('id', '=', row.id)
          .execute();
      }
      await audit(tx, {
        action: decision === 'approve' ? 'incident_update.approve' : 'incident_update.reject',
        subjectType: 'incident_update',
        subjectId: row.id,
        before: { state: row.state },
        after: {
          state,
          as_role: eligibility.as,
          basis: eligibility.basis,
          why: eligibility.why,
          ...(eligibility.basis === 'last_resort' && { reason }),
          comment,
          round: row.round,
        },
      });
      if (state === 'rejected') {
        await tellAuthorsOfRejection(tx, plan, incident, row, people.authors, comment ?? '');
      }
      onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
      const next = { ...row, state, updated_at: now };
      const result = state === 'approved' && publish ? await publishChecked(tx, incident, next) : next;
      return loadDraftView(tx.db, result);
    }),
  );
}

/** Why the actor may make this decision, or the error saying why not. */
function eligible(
  tx: Ctx,
  policy: ReturnType<typeof approvalPolicy>,
  people: Awaited<ReturnType<typeof approvalPeople>>,
  decision: Decision['decision'],
  reason: string | null,
): Eligibility {
  const result = approvalEligibility(policy, tx.actor, people);
  if (!result.ok) {
    throw result.code === 'self_approval'
      ? new CrierError(
          'self_approval',
          'You wrote or changed this draft, so you cannot decide on it; another approver the plan names, or its fallback, can.',
          { authors: people.authors },
        )
      : new CrierError('not_an_approver', 'The plan does not let you decide on this draft now.', {
          roles: policy.kind === 'roles' ? policy.roles : [],
          fallback: policy.kind === 'roles' ? policy.fallback : [],
          holders: people.holders,
        });
  }
  const { eligibility } = result;
  if (eligibility.basis !== 'last_resort') return eligibility;
  if (decision === 'reject') {
    throw new CrierError(
      'self_approval',
      'Everyone the plan lets approve wrote or changed this draft; change it or discard it rather than reject it.',
      { authors: people.authors },
    );
  }
  if (reason === null) {
    throw new CrierError(
      'approval_reason_required',
      `Nobody else can approve this draft (${eligibility.why}). An admin may approve it as the last resort with a written reason, which the incident's record keeps: send "reason".`,
      { why: eligibility.why },
    );
  }
  return eligibility;
}
