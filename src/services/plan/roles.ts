/**
 * Incident roles: an incident lead, a communications lead and a support
 * lead on every incident, from the plan's rotas (or whoever declared it),
 * reassignable, and each holder told of their duties.
 */
import { z } from 'zod';
import { parseDuration } from '../../domain/duration.ts';
import {
  type IncidentRole,
  incidentRoleDuties,
  incidentRoleLabels,
  incidentRoles,
  rotaHolder,
} from '../../domain/roles.ts';
import type { Plan } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import type { IncidentRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { lockIncident } from '../incidents/queries.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { currentPlan } from './current.ts';
import { drillMark, noticeTo, teamLink } from './notices.ts';

export const RoleHolderView = z
  .object({
    role: z.enum(incidentRoles),
    holder: z.string().nullable(),
    assigned_at: z.string().nullable(),
    assigned_by: z.string().nullable(),
  })
  .meta({ id: 'RoleHolder' });
export type RoleHolderView = z.infer<typeof RoleHolderView>;

export type Holders = Record<IncidentRole, string | null>;

/** The person an actor id names: `token:carol@acme.example` is carol@acme.example. */
function personOf(actorId: string): string {
  return actorId.replace(/^(?:token|user):/, '');
}

export async function holdersOf(db: Db, incidentId: string): Promise<Holders> {
  const rows = await db
    .selectFrom('incident_roles')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .execute();
  const holders: Holders = { incident_lead: null, comms_lead: null, support_lead: null };
  for (const r of rows) holders[r.role] = r.holder;
  return holders;
}

export async function listRoles(db: Db, incidentId: string): Promise<RoleHolderView[]> {
  const rows = await db
    .selectFrom('incident_roles')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .execute();
  return incidentRoles.map((role) => {
    const r = rows.find((x) => x.role === role);
    return {
      role,
      holder: r?.holder ?? null,
      assigned_at: r?.assigned_at ?? null,
      assigned_by: r?.assigned_by ?? null,
    };
  });
}

async function tellHolder(
  tx: Ctx,
  plan: Plan | null,
  incident: IncidentRow,
  role: IncidentRole,
  holder: string,
) {
  await noticeTo(tx, plan, role, {
    title: `${holder} is the ${incidentRoleLabels[role]} for "${incident.name}"`,
    text: `${holder}: you are the ${incidentRoleLabels[role]}${incident.severity ? ` (${incident.severity})` : ''}. ${incidentRoleDuties[role]}`,
    url: await teamLink(tx, incident.id),
    impact: incident.impact,
    ...drillMark(incident),
  });
}

/** Who a role's rota gives it to at `now`; null without a rota. */
export function rotaHolderAt(plan: Plan | null, role: IncidentRole, now: string): string | null {
  const spec = plan?.roles[role];
  if (!spec) return null;
  return rotaHolder(
    {
      people: spec.rota,
      shiftMs: spec.shift ? parseDuration(spec.shift) : null,
      start: spec.rota_start ?? now,
    },
    now,
  );
}

/** Assigns every role at declaration, inside the declaring transaction. */
export async function assignInitialRoles(
  tx: Ctx,
  incident: IncidentRow,
  plan: Plan | null,
): Promise<Holders> {
  const now = tx.clock.now().toISOString();
  const holders: Holders = { incident_lead: null, comms_lead: null, support_lead: null };
  for (const role of incidentRoles) {
    const fromRota = rotaHolderAt(plan, role, now);
    const holder = fromRota ?? personOf(tx.actor.id);
    holders[role] = holder;
    await tx.db
      .insertInto('incident_roles')
      .values({ incident_id: incident.id, role, holder, assigned_at: now, assigned_by: tx.actor.id })
      .execute();
    await tellHolder(tx, plan, incident, role, holder);
  }
  return holders;
}

const Holder = z.string().trim().min(1).max(200);
export const ReassignRolesInput = z
  .strictObject({ incident_lead: Holder, comms_lead: Holder, support_lead: Holder })
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: 'name at least one role to reassign' });
export type ReassignRolesInput = z.input<typeof ReassignRolesInput>;

/** Hands roles to other people; each new holder is told, and the change is audited. */
export async function reassignRoles(
  ctx: Ctx,
  incidentId: string,
  raw: ReassignRolesInput,
): Promise<RoleHolderView[]> {
  authorize(ctx, 'incident.assign_roles');
  const input = ReassignRolesInput.parse(raw);
  await withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx.db, incidentId);
    const plan = await currentPlan(tx.db);
    const before = await holdersOf(tx.db, incidentId);
    const now = tx.clock.now().toISOString();
    for (const role of incidentRoles) {
      const holder = input[role];
      if (holder === undefined || holder === before[role]) continue;
      await tx.db
        .insertInto('incident_roles')
        .values({ incident_id: incidentId, role, holder, assigned_at: now, assigned_by: tx.actor.id })
        .onConflict((oc) =>
          oc
            .columns(['incident_id', 'role'])
            .doUpdateSet({ holder, assigned_at: now, assigned_by: tx.actor.id }),
        )
        .execute();
      await tellHolder(tx, plan, incident, role, holder);
    }
    // Cadence reminders name whoever holds the roles when they go off (services/cadence/reminders.ts).
    await audit(tx, {
      action: 'incident.assign_roles',
      subjectType: 'incident',
      subjectId: incidentId,
      before,
      after: { ...before, ...input },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
  });
  return listRoles(ctx.db, incidentId);
}
