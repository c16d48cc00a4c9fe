/** Approval policy for external updates, from the plan, per severity. */
import type { Role } from './permissions.ts';
import { type IncidentRole, isHolder } from './roles.ts';

export type ApprovalPolicy =
  | { kind: 'none' }
  | {
      kind: 'roles';
      /** Holders of any of these incident roles may approve. */
      roles: readonly IncidentRole[];
      /** Distinct approvers needed. */
      count: number;
      /** Publish unapproved after this long, when the plan says so explicitly; null: never. */
      publishUnapprovedAfterMs: number | null;
      /** Who may approve, in order, once everyone before them wrote or changed the draft. */
      fallback: readonly ApproverGroup[];
    };

/** An incident role, or the admins. */
export type ApproverGroup = IncidentRole | 'admin';
export const approverGroups = ['incident_lead', 'comms_lead', 'support_lead', 'admin'] as const;
/** The fallback when the plan names none: the incident lead, then admins. */
export const defaultApprovalFallback: readonly ApproverGroup[] = ['incident_lead', 'admin'];

export const noApproval: ApprovalPolicy = { kind: 'none' };

/** Internal updates never need approval. */
export function needsApproval(policy: ApprovalPolicy, audience: string): boolean {
  return audience !== 'internal' && policy.kind === 'roles';
}

export interface Approver {
  id: string;
  /** The actor's permission role; a standing comms lead counts as one on every incident. */
  role: Role;
}

/** The incident role an actor approves as, or null when they may not approve under this policy. */
export function approverRole(
  policy: ApprovalPolicy,
  actor: Approver,
  holders: Partial<Record<IncidentRole, string | null>>,
): IncidentRole | null {
  if (policy.kind === 'none') return null;
  for (const role of policy.roles) {
    if (isHolder(holders[role] ?? null, actor.id) || actor.role === role) return role;
  }
  return null;
}

export const decisions = ['approve', 'reject'] as const;
export type Decision = (typeof decisions)[number];

export interface DecisionRecord {
  actor: string;
  decision: Decision;
}

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected';

/** One rejection rejects; otherwise enough distinct approvers approve. */
export function approvalOutcome(
  policy: ApprovalPolicy,
  decisions: readonly DecisionRecord[],
): ApprovalOutcome {
  if (policy.kind === 'none') return 'approved';
  if (decisions.some((d) => d.decision === 'reject')) return 'rejected';
  const approvers = new Set(decisions.filter((d) => d.decision === 'approve').map((d) => d.actor));
  return approvers.size >= policy.count ? 'approved' : 'pending';
}
