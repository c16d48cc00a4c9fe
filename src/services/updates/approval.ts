/**
 * Sending an update for approval, inside the caller's transaction: state,
 * round, audit, and the approval request to whoever may decide, carrying
 * what they need to decide; who may approve; the authors told of a
 * rejection.
 */

import { type ApprovalPolicy, approverRole } from '../../domain/approval.ts';
import { type ApprovalPeople, groupLabel, openGroups, personOf } from '../../domain/approval-eligibility.ts';
import { CrierError } from '../../domain/errors.ts';
import type { IncidentRole } from '../../domain/roles.ts';
import { hasNextUpdatePlaceholder } from '../../domain/templates.ts';
import { noticeChannels } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { cancelJob, enqueueJob, sendToChannel } from '../../store/outbox.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { drillMark, teamLink } from '../plan/notices.ts';
import { holdersOf } from '../plan/roles.ts';
import type { LintVerdict } from './gate.ts';
import { previewUpdate } from './preview.ts';
import { variantsOf } from './rows.ts';
import type { DecisionView } from './views.ts';

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
  if (policy.kind === 'roles') await requestApproval(tx, plan, policy, incident, next);
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

/** Who may decide on a draft this round: role holders, admins, its authors, who has approved. */
export async function approvalPeople(
  tx: Ctx,
  incidentId: string,
  row: IncidentUpdateRow,
  decisions: readonly Pick<DecisionView, 'actor' | 'decision'>[],
): Promise<ApprovalPeople> {
  const edits = await tx.db
    .selectFrom('update_edits')
    .select('actor')
    .where('update_id', '=', row.id)
    .orderBy('id')
    .execute();
  const admins = await tx.db
    .selectFrom('api_tokens')
    .select('name')
    .where('role', '=', 'admin')
    .where('revoked_at', 'is', null)
    .execute();
  const adminUsers = await tx.db
    .selectFrom('users')
    .select('email')
    .where('role', '=', 'admin')
    .where('password_hash', 'is not', null)
    .execute();
  return {
    holders: await holdersOf(tx.db, incidentId),
    admins: [...admins.map((a) => `token:${a.name}`), ...adminUsers.map((u) => `user:${u.email}`)],
    authors: [...new Set([row.created_by, ...edits.map((e) => e.actor)])],
    approved: decisions.filter((d) => d.decision === 'approve').map((d) => d.actor),
  };
}

/** Names people once each, as they are known: `carol@acme.example`. */
function names(ids: readonly string[]): string {
  return [...new Set(ids.map(personOf))].join(', ');
}

/**
 * The approval request: the text as each channel will show it, who wrote
 * it, who may decide now, and how (the API route and the CLI command); to
 * the channels of every group that may decide now.
 */
async function requestApproval(
  tx: Ctx,
  plan: Plan | null,
  policy: Extract<ApprovalPolicy, { kind: 'roles' }>,
  incident: IncidentRow,
  row: IncidentUpdateRow,
): Promise<void> {
  const people = await approvalPeople(tx, incident.id, row, []);
  const open = openGroups(policy, people);
  const who = open.groups
    .map(({ group, basis }) => {
      const holder = group === 'admin' ? null : (people.holders[group] ?? 'nobody yet');
      const label = `${groupLabel(group)}${basis === 'fallback' ? ", the plan's fallback" : ''}`;
      return holder === null ? `an admin (${label})` : `${holder} (${label})`;
    })
    .join(' or ');
  const timeout =
    policy.publishUnapprovedAfterMs === null
      ? ''
      : ` If nobody decides within ${Math.round(policy.publishUnapprovedAfterMs / 60_000)} minutes, the plan publishes it unapproved.`;
  const lastResort = open.lastResort
    ? ' Everyone the plan lets approve wrote or changed it: an admin may approve it as the last resort, with a written reason ("reason").'
    : '';
  const preview = await previewUpdate(tx, incident.id, row.id);
  const texts = new Map<string, string[]>();
  for (const c of preview.channels) {
    const shown = c.subject === null ? c.text : `Subject: ${c.subject}\n${c.text}`;
    texts.set(shown, [...(texts.get(shown) ?? []), c.channel]);
  }
  const readings = [...texts].map(([text, channels]) => `On ${channels.join(', ')}:\n${text}`).join('\n\n');
  const promises = [row.body, ...Object.values(variantsOf(row))].some((t) =>
    hasNextUpdatePlaceholder(t ?? ''),
  );
  const timing = promises
    ? 'The next update time is the one it would be if published now; publication writes in the deadline it sets.'
    : '';
  const api = `${tx.config.publicUrl}/api/v1/incidents/${incident.id}/updates/${row.id}`;
  const url = await teamLink(tx, incident.id);
  const text = [
    `${who}: please approve or reject this ${row.audience} update (${policy.count} approval${policy.count > 1 ? 's' : ''} needed).${timeout}${lastResort}`,
    `Written by ${names(people.authors)}.`,
    readings || row.body,
    ...(timing ? [timing] : []),
    `Approve or reject in the console: ${url}`,
    `Approve: POST ${api}/approve, or crier update approve ${incident.id} ${row.id}`,
    `Reject: POST ${api}/reject with {"comment": "what to change"}, or crier update reject ${incident.id} ${row.id} --comment "what to change"`,
  ].join('\n\n');
  const channels = new Set(
    open.groups.flatMap(({ group }) => noticeChannels(plan, group === 'admin' ? null : group)),
  );
  for (const channel of channels) {
    await sendToChannel(tx, channel, {
      title: `Approval needed: update on "${incident.name}"`,
      text,
      url,
      impact: incident.impact,
      ...drillMark(incident),
    });
  }
}

/** A rejected draft's authors hear who rejected it and why, on the internal channel. */
export async function tellAuthorsOfRejection(
  tx: Ctx,
  plan: Plan | null,
  incident: IncidentRow,
  row: IncidentUpdateRow,
  authors: readonly string[],
  comment: string,
): Promise<void> {
  for (const channel of noticeChannels(plan, null)) {
    await sendToChannel(tx, channel, {
      title: `Draft rejected: update on "${incident.name}"`,
      text: `${names(authors)}: ${personOf(tx.actor.id)} rejected your ${row.audience} update: "${comment}". Change it and submit it again (PATCH ${tx.config.publicUrl}/api/v1/incidents/${incident.id}/updates/${row.id}/draft, then …/submit).\n\n${row.body}`,
      url: await teamLink(tx, incident.id),
      impact: incident.impact,
      ...drillMark(incident),
    });
  }
}
