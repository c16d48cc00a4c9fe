/**
 * Who may decide on a draft, so that someone always can. The plan's
 * approvers come first; once every one of them wrote or changed the draft
 * (or has already approved it), its fallback opens, group by group (by
 * default the incident lead, then admins); and when everyone those name has
 * written it too, an admin may still approve as the last resort, with a
 * written reason, which the incident's record keeps. Every answer says why.
 */
import type { ApprovalPolicy, ApproverGroup } from './approval.ts';
import type { Role } from './permissions.ts';
import { type IncidentRole, incidentRoleLabels } from './roles.ts';

export const approvalBases = ['approver', 'fallback', 'last_resort'] as const;
export type ApprovalBasis = (typeof approvalBases)[number];

export interface Eligibility {
  basis: ApprovalBasis;
  /** The group they decide as: an incident role, or `admin`. */
  as: ApproverGroup;
  /** Why they may, in a sentence, for the audit log. */
  why: string;
}

export interface ApprovalPeople {
  holders: Partial<Record<IncidentRole, string | null>>;
  /** Everyone who may act as an admin: tokens and signed-up users (`token:root@acme.example`, `user:…`). */
  admins: readonly string[];
  /** Who wrote or changed what goes out (actor ids). */
  authors: readonly string[];
  /** Who has already approved this round (actor ids). */
  approved: readonly string[];
}

export type EligibilityResult =
  | { ok: true; eligibility: Eligibility }
  | { ok: false; code: 'self_approval' | 'not_an_approver' };

/** One person, however they are written: `carol@acme.example`, `token:carol@acme.example`, `user:…`. */
export function personOf(id: string): string {
  return id.toLowerCase().replace(/^(token|user):/, '');
}

export function groupLabel(group: ApproverGroup): string {
  return group === 'admin' ? 'admin' : incidentRoleLabels[group];
}

interface Tier {
  basis: 'approver' | 'fallback';
  groups: readonly ApproverGroup[];
}

function tiersOf(policy: Extract<ApprovalPolicy, { kind: 'roles' }>): Tier[] {
  return [
    { basis: 'approver', groups: policy.roles },
    ...policy.fallback.map((g): Tier => ({ basis: 'fallback', groups: [g] })),
  ];
}

function poolOf(group: ApproverGroup, people: ApprovalPeople): string[] {
  if (group === 'admin') return people.admins.map(personOf);
  const holder = people.holders[group];
  return holder ? [personOf(holder)] : [];
}

function memberAs(
  tier: Tier,
  actor: { id: string; role: Role },
  people: ApprovalPeople,
): ApproverGroup | null {
  const me = personOf(actor.id);
  for (const group of tier.groups) {
    if (group === 'admin' ? actor.role === 'admin' : actor.role === group) return group;
    if (group !== 'admin' && poolOf(group, people).includes(me)) return group;
  }
  return null;
}

/** The people of these tiers who could still approve: not an author, not approved yet. */
function available(tiers: readonly Tier[], people: ApprovalPeople): Set<string> {
  const excluded = new Set([...people.authors, ...people.approved].map(personOf));
  const found = new Set<string>();
  for (const tier of tiers) {
    for (const group of tier.groups) {
      for (const p of poolOf(group, people)) if (!excluded.has(p)) found.add(p);
    }
  }
  return found;
}

function needed(policy: Extract<ApprovalPolicy, { kind: 'roles' }>, people: ApprovalPeople): number {
  return Math.max(1, policy.count - new Set(people.approved.map(personOf)).size);
}

function whyApprover(as: ApproverGroup, actor: { id: string; role: Role }, people: ApprovalPeople): string {
  const holds = as !== 'admin' && poolOf(as, people).includes(personOf(actor.id));
  return holds
    ? `holds the ${groupLabel(as)} role on this incident, which the plan names as approver`
    : `acts as ${groupLabel(as)} on every incident (their token's role), which the plan names as approver`;
}

function exhausted(tiers: readonly Tier[], people: ApprovalPeople): string {
  const names = tiers.flatMap((t) => t.groups.map(groupLabel));
  const authors = [...new Set(people.authors.map(personOf))].join(', ');
  return `every ${names.join(' and ')} who could approve wrote or changed this draft (${authors}) or has approved it`;
}

/** Whether the actor may decide on a draft now, and as whom; or why not. */
export function approvalEligibility(
  policy: ApprovalPolicy,
  actor: { id: string; role: Role },
  people: ApprovalPeople,
): EligibilityResult {
  if (policy.kind === 'none') return { ok: false, code: 'not_an_approver' };
  const me = personOf(actor.id);
  const isAuthor = people.authors.some((a) => personOf(a) === me);
  const tiers = tiersOf(policy);
  const need = needed(policy, people);
  if (!isAuthor) {
    for (const [k, tier] of tiers.entries()) {
      const as = memberAs(tier, actor, people);
      if (as === null) continue;
      if (k === 0)
        return { ok: true, eligibility: { basis: 'approver', as, why: whyApprover(as, actor, people) } };
      const before = tiers.slice(0, k);
      if (available(before, people).size < need) {
        return {
          ok: true,
          eligibility: {
            basis: 'fallback',
            as,
            why: `${groupLabel(as)}, the plan's fallback approver: ${exhausted(before, people)}`,
          },
        };
      }
    }
  }
  if (actor.role === 'admin' && available(tiers, people).size < need) {
    return {
      ok: true,
      eligibility: {
        basis: 'last_resort',
        as: 'admin',
        why: `admin, as the last resort: ${exhausted(tiers, people)}`,
      },
    };
  }
  return { ok: false, code: isAuthor ? 'self_approval' : 'not_an_approver' };
}

/** The groups that may decide now, in order: the plan's approvers, each fallback group that has opened, and whether only the last resort is left. */
export function openGroups(
  policy: ApprovalPolicy,
  people: ApprovalPeople,
): { groups: { basis: 'approver' | 'fallback'; group: ApproverGroup }[]; lastResort: boolean } {
  if (policy.kind === 'none') return { groups: [], lastResort: false };
  const tiers = tiersOf(policy);
  const need = needed(policy, people);
  const groups: { basis: 'approver' | 'fallback'; group: ApproverGroup }[] = [];
  tiers.forEach((tier, k) => {
    if (k === 0 || available(tiers.slice(0, k), people).size < need) {
      for (const group of tier.groups) groups.push({ basis: tier.basis, group });
    }
  });
  return { groups, lastResort: available(tiers, people).size < need };
}
