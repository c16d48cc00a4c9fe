/**
 * People the plan's rotas name by email who are not users yet: they would
 * hold a role on an incident and could not sign in to act on it. An admin
 * sees them and invites each with the role their rota implies; nobody is
 * created until then (docs/adr/0012-people-and-sessions.md).
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { type Role, roles } from '../../domain/permissions.ts';
import { type IncidentRole, incidentRoles } from '../../domain/roles.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { type AddedUserView, addUser } from './users.ts';

export interface RotaPerson {
  email: string;
  /** The rotas naming them, in the plan's order of roles. */
  rotas: IncidentRole[];
  /** The role they are invited with: of their rotas, the first in the permission table's order. */
  role: Role;
}

const looksLikeEmail = z.email();

/** Every rota entry written as an email that no user has, with the role it implies. */
export async function rotaPeopleWithoutUser(ctx: Ctx): Promise<RotaPerson[]> {
  authorize(ctx, 'user.manage');
  const plan = await currentPlan(ctx.db);
  const named = new Map<string, IncidentRole[]>();
  for (const rota of incidentRoles) {
    for (const entry of plan?.roles[rota]?.rota ?? []) {
      const email = entry.trim().toLowerCase();
      if (!looksLikeEmail.safeParse(email).success) continue;
      const list = named.get(email) ?? [];
      if (!list.includes(rota)) list.push(rota);
      named.set(email, list);
    }
  }
  if (named.size === 0) return [];
  const users = new Set(
    (
      await ctx.db
        .selectFrom('users')
        .select('email')
        .where('email', 'in', [...named.keys()])
        .execute()
    ).map((u) => u.email),
  );
  return [...named]
    .filter(([email]) => !users.has(email))
    .map(([email, rotas]) => ({
      email,
      rotas,
      role: roles.find((r) => (rotas as readonly string[]).includes(r)) ?? 'viewer',
    }))
    .sort((a, b) => a.email.localeCompare(b.email));
}

/** Invites one of them, with the role the rota implies (never one the form names): a one-time link. */
export async function inviteRotaPerson(ctx: Ctx, rawEmail: string): Promise<AddedUserView> {
  authorize(ctx, 'user.manage');
  const email = rawEmail.trim().toLowerCase();
  const person = (await rotaPeopleWithoutUser(ctx)).find((p) => p.email === email);
  if (!person) {
    throw new CrierError(
      'user_not_found',
      `${email || 'That address'} is not in a rota of the plan in force, or is a user already.`,
      { user: email },
    );
  }
  return addUser(ctx, { email: person.email, role: person.role });
}
