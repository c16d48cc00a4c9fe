/**
 * Where a message about an incident links, so that none leads to a page that
 * does not exist. The team acts on an incident in the console, so its
 * messages (drills and internal updates included) link to the incident's
 * console page. Customers get the incident's own status page once the page
 * shows it (never a drill, nor an incident before its first public update),
 * and the status page itself until then; a private incident's readers, its
 * audience's private page.
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
  if (reader === 'team') return `${publicUrl}/console/incidents/${incidentId}`;
  const own = await db
    .selectFrom('incidents')
    .select('audience')
    .where('id', '=', incidentId)
    .where('drill', '=', 0)
    .executeTakeFirst();
  if (own?.audience) return `${publicUrl}/a/${own.audience}/incidents/${incidentId}`;
  const shown = await publicIncidents(db).select('id').where('id', '=', incidentId).executeTakeFirst();
  return shown ? `${publicUrl}/incidents/${incidentId}` : `${publicUrl}/`;
}
