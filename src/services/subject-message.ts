/**
 * What a notification about one subject says to every subscriber: an
 * incident update (only what its audience was told), a component's change
 * of status (Statuspage's component webhook), or a maintenance notice. The
 * delivery worker asks for it through the composition root and adds each
 * subscriber's links.
 */
import type { SubjectMessage, SubjectTranslation, WebhookEvent } from '../channels/types.ts';
import { type IncidentStatus, incidentStatusLabels } from '../domain/incidents.ts';
import { messageWords } from '../domain/message-words.ts';
import { pageIdOf, v2IncidentOn } from '../domain/statuspage.ts';
import type { Db } from '../store/db.ts';
import { affectedComponentsOf, renderedOf, translationsOf } from '../store/json.ts';
import { incidentLink } from './incidents/links.ts';
import { getIncident } from './incidents/queries.ts';
import { getMaintenance } from './maintenances/queries.ts';
import { currentPageStatus } from './page-status.ts';
import { currentPlan } from './plan/current.ts';

const maintenanceTitles: Record<string, string> = {
  scheduled: 'Scheduled maintenance',
  reminder: 'Maintenance starts soon',
  in_progress: 'Maintenance in progress',
  completed: 'Maintenance completed',
  cancelled: 'Maintenance cancelled',
};

/**
 * `subjectType` and `subjectId` as a fan-out names them: an update id; `<update id>:<component id>`;
 * `<maintenance id>:<event>:<sequence>`.
 */
export function subjectMessage(
  db: Db,
  publicUrl: string,
  subjectType: string,
  subjectId: string,
): Promise<SubjectMessage> {
  const page = { url: publicUrl, pageId: pageIdOf(publicUrl) };
  if (subjectType === 'incident_update') return incidentMessage(db, page, subjectId);
  if (subjectType === 'incident_correction') return correctionMessage(db, page, subjectId);
  if (subjectType === 'component_update') return componentMessage(db, page, subjectId);
  return maintenanceMessage(db, page, subjectId);
}

interface PageRef {
  url: string;
  pageId: string;
}

async function incidentMessage(db: Db, page: PageRef, updateId: string): Promise<SubjectMessage> {
  const row = await db
    .selectFrom('incident_updates')
    .select(['incident_id', 'audience', 'rendered', 'translations'])
    .where('id', '=', updateId)
    .executeTakeFirstOrThrow();
  // Only what this audience was told: published updates for it, never drafts or other audiences' words.
  const incident = await getIncident(db, row.incident_id, { publishedFor: row.audience });
  const update = incident.incident_updates.find((u) => u.id === updateId);
  if (!update) throw new Error(`update ${updateId} is not published for its audience`);
  const label = incidentStatusLabels[update.status] ?? update.status;
  // The team hears of drills and internal updates; for them the console stands in until the page shows it.
  const url = await incidentLink(
    db,
    page.url,
    incident.id,
    incident.drill || row.audience === 'internal' ? 'team' : 'customers',
  );
  const event: WebhookEvent = {
    page: {
      id: page.pageId,
      status_indicator: incident.impact,
      status_description: incident.status === 'resolved' ? 'All Systems Operational' : incident.name,
    },
    // Statuspage's incident fields only: no severity, roles or other internal fields.
    incident: { ...v2IncidentOn(incident, page), shortlink: url },
  };
  return {
    kind: 'incident',
    title: `${incident.name}: ${label}`,
    text: update.body,
    status: update.status,
    impact: incident.impact,
    url,
    event,
    drill: incident.drill,
    variants: renderedOf(row),
    language: (await currentPlan(db))?.page?.language ?? 'en',
    ...(row.translations !== null && { translations: translationsIn(row, incident.name, update.status) }),
    // Customers are asked whether it helped; a drill never asks, nor does a message to the team.
    ...(!incident.drill && row.audience !== 'internal' && { asksFeedback: updateId }),
  };
}

/** The update's words in each other language it was written in, its title's status in that language too. */
function translationsIn(
  row: { readonly translations: string | null },
  name: string,
  status: IncidentStatus,
): Record<string, SubjectTranslation> {
  return Object.fromEntries(
    Object.entries(translationsOf(row)).map(([language, t]) => [
      language,
      { title: `${name}: ${messageWords(language).status[status]}`, text: t.body, variants: t.variants },
    ]),
  );
}

/**
 * A published update's correction, for the social channels that posted it (`<update id>:<edit id>`):
 * the update as it reads now. Its template variants were written for the words it corrects, so
 * the corrected text stands for every channel; nobody is asked for feedback again.
 */
async function correctionMessage(db: Db, page: PageRef, subjectId: string): Promise<SubjectMessage> {
  const {
    variants: _old,
    asksFeedback: _asked,
    ...message
  } = await incidentMessage(db, page, subjectId.split(':')[0] ?? subjectId);
  return message;
}

/**
 * Statuspage's component webhook: `component_update` (old and new status) and the `component`,
 * with the page's status as `status.json` shows it at that moment.
 */
async function componentMessage(db: Db, page: PageRef, subjectId: string): Promise<SubjectMessage> {
  const [updateId = '', componentId = ''] = subjectId.split(':');
  const update = await db
    .selectFrom('incident_updates')
    .select(['affected_components', 'created_at', 'incident_id'])
    .where('id', '=', updateId)
    .executeTakeFirst();
  // A component's status can go live while its update waits for approval; the update may be discarded since.
  const change = (update ? affectedComponentsOf(update) : []).find((c) => c.code === componentId);
  const component = await db
    .selectFrom('components')
    .selectAll()
    .where('id', '=', componentId)
    .executeTakeFirst();
  const status = await currentPageStatus(db);
  const name = component?.name ?? change?.name ?? componentId;
  const at = update?.created_at ?? component?.updated_at ?? new Date(0).toISOString();
  const newStatus = change?.new_status ?? component?.status ?? 'operational';
  return {
    kind: 'incident',
    title: `${name}: ${newStatus.replace(/_/g, ' ')}`,
    text: `${name} changed from ${(change?.old_status ?? 'unknown').replace(/_/g, ' ')} to ${newStatus.replace(/_/g, ' ')}.`,
    status: newStatus,
    url: update ? await incidentLink(db, page.url, update.incident_id, 'customers') : `${page.url}/`,
    event: {
      page: {
        id: page.pageId,
        status_indicator: status.indicator,
        status_description: status.description,
      },
      component_update: {
        id: subjectId,
        component_id: componentId,
        created_at: at,
        old_status: change?.old_status ?? null,
        new_status: newStatus,
      },
      component: {
        id: componentId,
        name,
        status: component?.status ?? newStatus,
        created_at: component?.created_at ?? at,
      },
    },
  };
}

async function maintenanceMessage(db: Db, page: PageRef, subjectId: string): Promise<SubjectMessage> {
  const [maintenanceId = '', event = 'scheduled'] = subjectId.split(':');
  const m = await getMaintenance(db, maintenanceId);
  const window = `From ${m.scheduled_for} to ${m.scheduled_until} (UTC).`;
  // The latest maintenance update says what happened; notices before the start also give the window.
  const latest =
    [...m.updates].sort((a, b) => a.created_at.localeCompare(b.created_at)).at(-1)?.body ?? m.body;
  const text = event === 'scheduled' || event === 'reminder' ? `${m.body}\n\n${window}` : latest;
  return {
    kind: 'maintenance',
    title: `${maintenanceTitles[event] ?? 'Maintenance'}: ${m.name}`,
    text,
    status: m.status,
    impact: 'maintenance',
    url: `${page.url}/incidents/${m.id}`,
    event: {
      page: {
        id: page.pageId,
        status_indicator: 'maintenance',
        status_description: 'Scheduled maintenance',
      },
      incident: { ...m, shortlink: `${page.url}/incidents/${m.id}` },
    },
  };
}
