/**
 * Whether a severity's approvers can run out: when the people its approval
 * roles' rotas name are too few for one of them to write or change a draft
 * and still leave enough to approve it, approval falls to the plan's
 * fallback (by default the incident lead, then admins), and past that to
 * an admin's last-resort approval with a written reason. `plan check` warns
 * of both, so a team finds out before the incident rather than in it.
 */
import type { ApproverGroup } from '../domain/approval.ts';
import { groupLabel } from '../domain/approval-eligibility.ts';
import type { IncidentRole } from '../domain/roles.ts';
import type { PlanProblem } from './check.ts';
import type { Plan } from './schema.ts';

function rotaPeople(plan: Plan, roles: readonly ApproverGroup[]): Set<string> {
  return new Set(
    roles
      .filter((r): r is IncidentRole => r !== 'admin')
      .flatMap((r) => plan.roles[r]?.rota ?? [])
      .map((p) => p.toLowerCase()),
  );
}

function labels(groups: readonly ApproverGroup[], joiner: string): string {
  return groups.map(groupLabel).join(joiner);
}

export function approvalWarnings(plan: Plan): PlanProblem[] {
  const warnings: PlanProblem[] = [];
  for (const [name, s] of Object.entries(plan.severities)) {
    if (s.approval === 'none') continue;
    const roles = typeof s.approval === 'string' ? [s.approval] : s.approval.any_of;
    const count = typeof s.approval === 'string' ? 1 : s.approval.count;
    const people = rotaPeople(plan, roles);
    // One author among them leaves one fewer to approve.
    if (people.size - 1 >= count) continue;
    const rota = labels(roles, ' and ');
    const left =
      count === 1 ? 'nobody on it is left to approve it' : `fewer than ${count} are left to approve it`;
    const who =
      people.size === 0
        ? `no rota names a ${rota}, so whoever declares holds the role, and wrote the first draft`
        : `${[...people].join(', ')} ${people.size === 1 ? 'is the only one' : 'are the only ones'} on the ${rota} rota: once ${people.size === 1 ? 'they write or change' : 'one of them writes or changes'} a draft, ${left}`;
    const fallback = s.approval_fallback;
    const next =
      fallback.length === 0
        ? 'no approval_fallback is set, so only an admin can then approve, as the last resort with a written reason'
        : `approval then falls to the ${labels(fallback, ', then the ')} (approval_fallback)${fallback.includes('admin') ? '' : ', and past them to an admin as the last resort, with a written reason'}`;
    warnings.push({ path: `severities.${name}.approval`, message: `approvers can run out: ${who}; ${next}` });
  }
  return warnings;
}
