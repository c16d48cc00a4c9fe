/**
 * Customers' votes on updates, per template (a scenario's words for one
 * status), for the templates ranked by helpfulness and the suggestion to
 * rewrite one. Until customer feedback is recorded there are no votes, so
 * no template is ranked (README, "Not yet").
 */
import type { TemplateVotes } from '../../domain/trends.ts';
import type { Db } from '../../store/db.ts';

export async function templateVotes(_db: Db, _from: string, _to: string): Promise<TemplateVotes[]> {
  return [];
}
