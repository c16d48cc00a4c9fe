/**
 * Where a message about an incident links, so that none leads to a page that
 * does not exist: the incident's own page once the status page shows it
 * (never a drill, nor an incident before its first public update); until
 * then, for the team, the console, and for customers, the status page itself.
 */
import type { Db } from '../../store/db.ts';
import { publicIncidents } from './queries.ts';

/** Who follows the link: the people running the incident, or the customers hearing of it. */
export type Reader = 'team' | 'customers';

export async function incidentLink(
  db: Db,
  publicUrl: string,
  incidentId: string,
  reader: Reader,
): Promise<string> {
  const shown = await publicIncidents(db).select('id').where('id', '=', incidentId).executeTakeFirst();
  if (shown) return `${publicUrl}/incidents/${incidentId}`;
  return reader === 'team' ? `${publicUrl}/console` : `${publicUrl}/`;
}
