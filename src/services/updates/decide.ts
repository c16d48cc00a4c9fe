/**
 * An approver's decision on a draft pending approval, shared by approving
 * and rejecting: never by an author (whoever wrote or changed what goes
 * out), once per approver and round, recorded with the role they decided
 * as, and audited. Once the plan's approvals are complete the draft is
 * approved (and, when asked, published), or rejected.
 */
import { approvalOutcome, assertNotAuthor } from '../../domain/approval.ts';
import { CrierError } from '../../domain/errors.ts';
import type { UpdateState } from '../../domain/updates.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { requireApprover } from './approval.ts';
import { publishChecked } from './publish.ts';
import { lockUpdate } from './rows.ts';
import { type DraftView, decisionsOf, loadDraftView } from './views.ts';

export interface Decision {
  decision: 'approve' | 'reject';
  comment: string | null;
  /** Publish as soon as the approvals are complete. */
  publish: boolean;
}

export async function decide(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  { decision, comment, publish }: Decision,
): Promise<DraftView> {
  authorize(ctx, 'update.approve');
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockUpdate(tx, incidentId, updateId);
    if (row.state !== 'pending_approval') {
      throw new CrierError(
        'transition_not_allowed',
        `Only an update pending approval can be decided; this one is ${row.state}.`,
        { state: row.state },
      );
    }
    assertNotAuthor(row.created_by, tx.actor.id);
    // Whoever changed what goes out (words, variants, status, audience, components) is an author too.
    const edited = await tx.db
      .selectFrom('update_edits')
      .select('actor')
      .where('update_id', '=', row.id)
      .where('actor', '=', tx.actor.id)
      .executeTakeFirst();
    if (edited) assertNotAuthor(edited.actor, tx.actor.id);
    const policy = approvalPolicy(await currentPlan(tx.db), incident.severity);
    const asRole = await requireApprover(tx, incident.id, policy);
    const earlier = (await decisionsOf(tx.db, row.id)).filter((d) => d.round === row.round);
    if (earlier.some((d) => d.actor === tx.actor.id)) {
      throw new CrierError('conflict', 'You have already decided on this version of the update.', {
        decisions: earlier,
      });
    }
    const now = tx.clock.now().toISOString();
    await tx.db
      .insertInto('update_decisions')
      .values({
        update_id: row.id,
        round: row.round,
        actor: tx.actor.id,
        as_role: asRole,
        decision,
        comment,
        at: now,
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
      after: { state, as_role: asRole, comment, round: row.round },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    const next = { ...row, state, updated_at: now };
    const result = state === 'approved' && publish ? await publishChecked(tx, incident, next) : next;
    return loadDraftView(tx.db, result);
  });
}
