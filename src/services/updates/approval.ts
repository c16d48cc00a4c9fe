/** Sending an update for approval, inside the caller's transaction: state, round, audit, approvers told; and who may approve. */

import { type ApprovalPolicy, approverRole } from '../../domain/approval.ts';
import { CrierError } from '../../domain/errors.ts';
import { type IncidentRole, incidentRoleLabels } from '../../domain/roles.ts';
import type { Plan } from '../../plan/schema.ts';
import { cancelJob, enqueueJob } from '../../store/outbox.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { incidentUrl, noticeTo } from '../plan/notices.ts';
import { holdersOf } from '../plan/roles.ts';
import type { LintVerdict } from './gate.ts';

export async function enterApproval(
  tx: Ctx,
  incident: IncidentRow,
  row: IncidentUpdateRow,
  plan: Plan | null,
  policy: ApprovalPolicy,
  verdict: LintVerdict,
  options: { insert: boolean },
): Promise<IncidentUpdateRow> {
  const now = tx.clock.now().toISOString();
  const next: IncidentUpdateRow = {
    ...row,
    state: 'pending_approval',
    round: row.round + 1,
    submitted_at: now,
    updated_at: now,
    lint: JSON.stringify(verdict.problems),
    lint_override: verdict.override === null ? null : JSON.stringify(verdict.override),
  };
  if (options.insert) await tx.db.insertInto('incident_updates').values(next).execute();
  else {
    await tx.db
      .updateTable('incident_updates')
      .set({
        state: next.state,
        round: next.round,
        submitted_at: now,
        updated_at: now,
        lint: next.lint,
        lint_override: next.lint_override,
      })
      .where('id', '=', row.id)
      .execute();
  }
  await audit(tx, {
    action: 'incident_update.submit',
    subjectType: 'incident_update',
    subjectId: row.id,
    before: { state: row.state },
    after: {
      state: next.state,
      round: next.round,
      body: next.body,
      ...(verdict.override && { lint_override: verdict.override, lint: verdict.problems }),
    },
  });
  if (policy.kind === 'roles' && policy.publishUnapprovedAfterMs !== null) {
    await enqueueJob(tx, {
      kind: 'approval.timeout',
      runAt: new Date(Date.parse(now) + policy.publishUnapprovedAfterMs),
      payload: { incident_id: incident.id, update_id: row.id, round: next.round },
      dedupeKey: timeoutKey(row.id, next.round),
    });
  }
  if (policy.kind === 'roles') {
    const holders = await holdersOf(tx.db, incident.id);
    const who = policy.roles
      .map((r) => `${holders[r] ?? 'nobody yet'} (${incidentRoleLabels[r]})`)
      .join(' or ');
    const timeout =
      policy.publishUnapprovedAfterMs === null
        ? ''
        : ` If nobody decides within ${Math.round(policy.publishUnapprovedAfterMs / 60_000)} minutes, the plan publishes it unapproved.`;
    for (const role of new Set(policy.roles)) {
      await noticeTo(tx, plan, role, {
        title: `Approval needed: update on "${incident.name}"`,
        text: `${who}: please approve or reject this ${next.audience} update (${policy.count} approval${policy.count > 1 ? 's' : ''} needed).${timeout}\n\n${next.body}`,
        url: incidentUrl(tx, incident.id),
        impact: incident.impact,
      });
    }
  }
  return next;
}

/**
 * The incident role the actor approves as under the policy; not_an_approver
 * when they hold none of the roles it names. `what` says what they tried.
 */
export async function requireApprover(
  tx: Ctx,
  incidentId: string,
  policy: ApprovalPolicy,
  what = 'The plan does not name you as an approver for this incident.',
): Promise<IncidentRole> {
  const holders = await holdersOf(tx.db, incidentId);
  const asRole = approverRole(policy, tx.actor, holders);
  if (asRole === null) {
    throw new CrierError('not_an_approver', what, {
      roles: policy.kind === 'roles' ? policy.roles : [],
      holders,
    });
  }
  return asRole;
}

function timeoutKey(updateId: string, round: number): string {
  return `approval-timeout:${updateId}:${round}`;
}

/** Cancels the approval timeouts armed for every submission of a draft (it is being discarded). */
export async function cancelApprovalTimeout(tx: Ctx, row: IncidentUpdateRow): Promise<void> {
  for (let round = 1; round <= row.round; round++) await cancelJob(tx, timeoutKey(row.id, round));
}
