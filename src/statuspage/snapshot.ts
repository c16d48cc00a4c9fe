/**
 * Everything the public surfaces show, read from the database in one pass.
 * The render cache calls this when data changes; public requests never do.
 * Only what the public may see is loaded: no drills, and of each incident
 * only its published updates for the `public` audience.
 */
import type { ComponentStatus } from '../domain/components.ts';
import { openIncidentStatuses } from '../domain/incidents.ts';
import { pageIdOf } from '../domain/statuspage.ts';
import { listComponents } from '../services/components/queries.ts';
import { DEMO_SETTING } from '../services/demo.ts';
import { listGroups } from '../services/groups/groups.ts';
import { incidentViews, publicIncidents } from '../services/incidents/queries.ts';
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
  page: { name: string; url?: string | undefined; time_zone: string } | undefined,
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
  };
}

export async function loadSnapshot(db: Db, configured: PageSettings, now: Date): Promise<PageSnapshot> {
  // A stored plan that no longer parses must not stop the page from rendering: configuration stands in.
  const plan = await currentPlan(db).catch(() => null);
  const settings = withPlan(configured, plan?.page);
  const windowStart = new Date(now.getTime() - HISTORY_DAYS * 86_400_000);
  const [components, groups, demo] = await Promise.all([
    listComponents(db),
    listGroups(db),
    getSetting(db, DEMO_SETTING),
  ]);

  // An incident is public once it has a published public update; drills never are.
  const base = publicIncidents(db).selectAll();
  const [open, recent] = await Promise.all([
    base.where('status', 'in', openIncidentStatuses).execute(),
    base.orderBy('created_at', 'desc').orderBy('id').limit(RECENT_INCIDENTS).execute(),
  ]);
  const rows = [...open, ...recent.filter((r) => !open.some((o) => o.id === r.id))].sort(
    (a, b) => b.created_at.localeCompare(a.created_at) || a.id.localeCompare(b.id),
  );
  const incidents = await incidentViews(db, rows, { publishedFor: 'public' });

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
