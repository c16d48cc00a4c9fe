/**
 * One deadline per external audience: when an incident's next update for
 * it is due, and how many of its updates fell due and came on time. The
 * public audience's is mirrored on the incident (`next_update_due_at`,
 * `cadence_due`, `cadence_on_time`), which the page shows; an update for
 * another audience (enterprise) neither moves nor answers it.
 */
import type { Plan } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import type { IncidentDeadlineRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';

export type AudienceDeadline = Pick<
  IncidentDeadlineRow,
  'audience' | 'due_at' | 'updates_due' | 'updates_on_time'
>;

/** The external audiences incidents of this severity speak to: those the plan gives it, or public (never the drill audience). */
export function externalAudiences(plan: Plan, severity: string | null): string[] {
  const spec = severity === null ? undefined : plan.severities[severity];
  const named = (spec?.audiences ?? Object.keys(plan.audiences)).filter(
    (a) => a !== 'internal' && a !== plan.drill.audience && a in plan.audiences,
  );
  return named.length > 0 ? named : ['public'];
}

export async function deadlinesOf(db: Db, incidentIds: readonly string[]) {
  if (incidentIds.length === 0) return [];
  return db
    .selectFrom('incident_deadlines')
    .selectAll()
    .where('incident_id', 'in', [...incidentIds])
    .orderBy('audience')
    .execute();
}

export async function readDeadline(db: Db, incidentId: string, audience: string): Promise<AudienceDeadline> {
  const row = await db
    .selectFrom('incident_deadlines')
    .select(['audience', 'due_at', 'updates_due', 'updates_on_time'])
    .where('incident_id', '=', incidentId)
    .where('audience', '=', audience)
    .executeTakeFirst();
  return row ?? { audience, due_at: null, updates_due: 0, updates_on_time: 0 };
}

/** Stores an audience's deadline (and adherence, when given); the public one on the incident too. */
export async function writeDeadline(
  tx: Ctx,
  incidentId: string,
  audience: string,
  dueAt: string | null,
  counted?: { updates_due: number; updates_on_time: number },
): Promise<void> {
  const change = {
    due_at: dueAt,
    ...(counted && { updates_due: counted.updates_due, updates_on_time: counted.updates_on_time }),
  };
  await tx.db
    .insertInto('incident_deadlines')
    .values({ incident_id: incidentId, audience, updates_due: 0, updates_on_time: 0, ...change })
    .onConflict((oc) => oc.columns(['incident_id', 'audience']).doUpdateSet(change))
    .execute();
  if (audience !== 'public') return;
  await tx.db
    .updateTable('incidents')
    .set({
      next_update_due_at: dueAt,
      ...(counted && { cadence_due: counted.updates_due, cadence_on_time: counted.updates_on_time }),
    })
    .where('id', '=', incidentId)
    .execute();
}
