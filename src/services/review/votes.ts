/**
 * Customers' votes on updates, per template (a scenario's words for one
 * status), for the templates ranked by helpfulness and the suggestion to
 * rewrite one. The votes recorded in feedback_votes are not read here yet,
 * so no template is ranked (docs/review.md, "Not yet").
 */
import type { TemplateVotes } from '../../domain/trends.ts';
import type { Db } from '../../store/db.ts';

export async function templateVotes(_db: Db, _from: string, _to: string): Promise<TemplateVotes[]> {
  return [];
}
