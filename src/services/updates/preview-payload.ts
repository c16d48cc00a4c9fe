/**
 * The JSON body a webhook receiver would get if a draft went out now:
 * Statuspage's incident event, with the draft's words as the newest update
 * and only what its audience has already been told beside it.
 */
import { incidentStatusLabels } from '../../domain/incidents.ts';
import { pageIdOf, v2IncidentOn } from '../../domain/statuspage.ts';
import type { Db } from '../../store/db.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { incidentLink } from '../incidents/links.ts';
import { getIncident } from '../incidents/queries.ts';

export interface DraftEvent {
  /** The email subject and chat title when no variant replaces it. */
  title: string;
  /** The webhook event, as indented JSON. */
  json: string;
}

export async function draftEvent(
  db: Db,
  publicUrl: string,
  row: IncidentUpdateRow,
  body: string,
  at: string,
): Promise<DraftEvent> {
  const told = await getIncident(db, row.incident_id, { publishedFor: row.audience });
  const drill = told.drill || row.audience === 'internal';
  const url = await incidentLink(db, publicUrl, told.id, drill ? 'team' : 'customers');
  const page = { url: publicUrl, pageId: pageIdOf(publicUrl) };
  const status = row.status;
  const draft = {
    id: row.id,
    incident_id: row.incident_id,
    status,
    body,
    state: 'published' as const,
    audience: row.audience,
    deliver_notifications: row.deliver_notifications === 1,
    affected_components: [],
    created_by: row.created_by,
    created_at: at,
    updated_at: at,
    published_at: at,
    display_at: at,
    next_update_at: null,
  };
  const incident = {
    ...told,
    status,
    updated_at: at,
    incident_updates: [draft, ...told.incident_updates.filter((u) => u.id !== row.id)],
  };
  const event = {
    page: {
      id: page.pageId,
      status_indicator: incident.impact,
      status_description: status === 'resolved' ? 'All Systems Operational' : incident.name,
    },
    incident: { ...v2IncidentOn(incident, page), shortlink: url },
  };
  return {
    title: `${told.name}: ${incidentStatusLabels[status] ?? status}`,
    json: JSON.stringify(event, null, 2),
  };
}
