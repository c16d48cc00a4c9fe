/**
 * Customers' votes on updates, per template (a scenario's words for one
 * status), for the templates ranked by helpfulness and the suggestion to
 * rewrite one: the votes on the published updates of real incidents with a
 * scenario, declared in the period (drills never ask customers).
 */
import { sql } from 'kysely';
import type { TemplateVotes } from '../../domain/trends.ts';
import type { Db } from '../../store/db.ts';

export async function templateVotes(db: Db, from: string, to: string): Promise<TemplateVotes[]> {
  const rows = await db
    .selectFrom('feedback_votes as v')
    .innerJoin('incident_updates as u', 'u.id', 'v.update_id')
    .innerJoin('incidents as i', 'i.id', 'v.incident_id')
    .select([
      'i.scenario',
      'u.status',
      sql<number>`sum(case when v.helpful = 1 then 1 else 0 end)`.as('helpful'),
      sql<number>`sum(case when v.helpful = 1 then 0 else 1 end)`.as('unhelpful'),
    ])
    .where('i.scenario', 'is not', null)
    .where('i.drill', '=', 0)
    .where('i.declared_at', '>=', from)
    .where('i.declared_at', '<=', to)
    .groupBy(['i.scenario', 'u.status'])
    .execute();
  return rows.map((r) => ({
    scenario: r.scenario as string,
    status: r.status,
    helpful: Number(r.helpful),
    unhelpful: Number(r.unhelpful),
  }));
}
