/**
 * Everything the public surfaces show, read from the database in one pass.
 * The render cache calls this when data changes; public requests never do.
 * Only what the public may see is loaded: no drills, no private incidents,
 * and of each incident only its published updates for the `public`
 * audience. With an audience, what its private page shows: the public
 * facts, plus its own updates and private incidents, and the component
 * statuses its private incidents set.
 */
import { type ComponentStatus, worseStatus } from '../domain/components.ts';
import { openIncidentStatuses } from '../domain/incidents.ts';
import type { PageLanguage } from '../domain/languages.ts';
import { pageIdOf } from '../domain/statuspage.ts';
import { deadlinesOf } from '../services/cadence/deadlines.ts';
import { listComponents } from '../services/components/queries.ts';
import { DEMO_SETTING } from '../services/demo.ts';
import { listGroups } from '../services/groups/groups.ts';
import { audienceIncidents, incidentViews, publicIncidents } from '../services/incidents/queries.ts';
import { maintenanceViews } from '../services/maintenances/queries.ts';
import { currentPlan } from '../services/plan/current.ts';
import { getSetting } from '../services/settings.ts';
import type { ComponentGroupView, ComponentView, IncidentView, MaintenanceView } from '../services/views.ts';
import type { Db } from '../store/db.ts';
import type { PageSettings } from './settings.ts';
import type { StatusPoint } from './uptime.ts';

export const HISTORY_DAYS = 90;
/** How many incidents the history and the feeds carry (Statuspage's incidents.json returns 50). */
const RECENT_INCIDENTS = 50;

export interface PageSnapshot {
  settings: PageSettings;
  /** A stable page id derived from the public URL, so every process and the export agree. */
  pageId: string;
  components: ComponentView[];
  groups: ComponentGroupView[];
  /** Public incidents, newest first: every unresolved one, then the most recent others. */
  incidents: IncidentView[];
  maintenances: MaintenanceView[];
  /** Status changes per component since the start of the history window, oldest first. */
  history: Map<string, StatusPoint[]>;
  /** Each component's status when the history window opened. */
  statusAtStart: Map<string, ComponentStatus>;
  /** The page shows demo content seeded on a fresh database, and says so. */
  demo: boolean;
  /** When the snapshot was read; pages use it for "today", the JSON never shows it. */
  now: Date;
}

/** The plan's `page:` section, when a plan is in force, names the page and its zone; configuration is the fallback. */
function withPlan(
  settings: PageSettings,
  page: { name: string; url?: string | undefined; time_zone: string; language: PageLanguage } | undefined,
): PageSettings {
  if (!page) return settings;
  let timeZone = settings.timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: page.time_zone });
    timeZone = page.time_zone;
  } catch {
    // `crier plan check` reports it; the page keeps the configured zone meanwhile.
  }
  return {
    ...settings,
    name: page.name,
    url: page.url ? page.url.replace(/\/+$/, '') : settings.url,
    timeZone,
    language: page.language,
  };
}

export async function loadSnapshot(
  db: Db,
  configured: PageSettings,
  now: Date,
  audience?: string,
): Promise<PageSnapshot> {
  // A stored plan that no longer parses must not stop the page from rendering: configuration stands in.
  const plan = await currentPlan(db).catch(() => null);
  const planned = withPlan(configured, plan?.page);
  const settings = audience === undefined ? planned : { ...planned, url: `${planned.url}/a/${audience}` };
  const windowStart = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const [listed, groups, demo] = await Promise.all([
    listComponents(db),
    listGroups(db),
    getSetting(db, DEMO_SETTING),
  ]);

  // An incident is public once it has a published public update; drills and private incidents never are.
  const base = (audience === undefined ? publicIncidents(db) : audienceIncidents(db, audience)).selectAll();
  const [open, recent] = await Promise.all([
    base.where('status', 'in', openIncidentStatuses).execute(),
    base.orderBy('created_at', 'desc').orderBy('id').limit(RECENT_INCIDENTS).execute(),
  ]);
  const rows = [...open, ...recent.filter((r) => !open.some((o) => o.id === r.id))].sort(
    (a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id),
  );
  const views = await incidentViews(db, rows, {
    publishedFor: audience === undefined ? 'public' : ['public', audience],
  });
  const incidents = audience === undefined ? views : await withAudienceDeadlines(db, views, audience);
  const components = audience === undefined ? listed : withPrivateStatuses(listed, rows, incidents);

  const maintenanceRows = await db
    .selectFrom('maintenances')
    .selectAll()
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['scheduled', 'in_progress', 'verifying']),
        eb('scheduled_until', '>=', windowStart.toISOString()),
      ]),
    )
    .orderBy('scheduled_for', 'desc')
    .orderBy('id')
    .execute();
  const maintenances = await maintenanceViews(db, maintenanceRows);

  const points = await db
    .selectFrom('component_status_history')
    .select(['component_id', 'status', 'at'])
    .where('at', '>=', windowStart.toISOString())
    .orderBy('at')
    .orderBy('id')
    .execute();
  const history = new Map<string, StatusPoint[]>();
  for (const p of points) {
    const list = history.get(p.component_id) ?? [];
    list.push({ status: p.status, at: p.at });
    history.set(p.component_id, list);
  }
  // The status each component had when the window opened: its last change before it.
  const before = await db
    .selectFrom('component_status_history as h')
    .select(['h.component_id', 'h.status'])
    .where('h.at', '<', windowStart.toISOString())
    .where(({ eb, selectFrom }) =>
      eb(
        'h.id',
        '=',
        selectFrom('component_status_history as l')
          .select((e) => e.fn.max('l.id').as('m'))
          .whereRef('l.component_id', '=', 'h.component_id')
          .where('l.at', '<', windowStart.toISOString()),
      ),
    )
    .execute();
  const statusAtStart = new Map(before.map((b) => [b.component_id, b.status]));

  return {
    settings,
    pageId: pageIdOf(settings.url),
    components,
    groups,
    incidents,
    maintenances,
    history,
    statusAtStart,
    demo: demo === 'true',
    now,
  };
}

/** On a private page, "next update by" is the audience's own deadline (public incidents keep the public one without it). */
async function withAudienceDeadlines(
  db: Db,
  incidents: IncidentView[],
  audience: string,
): Promise<IncidentView[]> {
  const own = (
    await deadlinesOf(
      db,
      incidents.map((i) => i.id),
    )
  ).filter((d) => d.audience === audience);
  return incidents.map((i) => {
    const d = own.find((x) => x.incident_id === i.id);
    return d ? { ...i, next_update_due_at: d.due_at } : i;
  });
}

/** A component on a private page: its public status, worsened by what the audience's open private incidents say of it. */
function withPrivateStatuses(
  components: ComponentView[],
  rows: readonly { id: string; audience: string | null; status: string }[],
  incidents: readonly IncidentView[],
): ComponentView[] {
  const privateOpen = new Set(
    rows
      .filter((r) => r.audience !== null && openIncidentStatuses.some((s) => s === r.status))
      .map((r) => r.id),
  );
  const own = new Map<string, ComponentStatus>();
  for (const i of incidents) {
    if (!privateOpen.has(i.id)) continue;
    for (const c of i.components) own.set(c.id, worseStatus(own.get(c.id) ?? 'operational', c.status));
  }
  return components.map((c) => {
    const status = own.get(c.id);
    return status === undefined || worseStatus(c.status, status) === c.status ? c : { ...c, status };
  });
}
