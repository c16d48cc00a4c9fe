/**
 * Statuspage's public API v2, field for field, from a snapshot. Existing
 * clients, widgets and aggregators read these documents unchanged.
 * Key order is fixed, so the same data always gives the same bytes
 * (the static export relies on it).
 */
import {
  type ComponentStatus,
  groupStatus,
  type Impact,
  type Indicator,
  indicatorDescription,
  pageIndicator,
} from '../domain/components.ts';
import type { ComponentView, IncidentView, MaintenanceView } from '../services/views.ts';
import type { PageSnapshot } from './snapshot.ts';

export interface V2Page {
  id: string;
  name: string;
  url: string;
  time_zone: string;
  updated_at: string;
}

export interface V2Component {
  id: string;
  name: string;
  status: ComponentStatus;
  created_at: string;
  updated_at: string;
  position: number;
  description: string | null;
  showcase: boolean;
  start_date: string | null;
  group_id: string | null;
  page_id: string;
  group: boolean;
  only_show_if_degraded: boolean;
  components?: string[];
}

export interface V2AffectedComponent {
  code: string;
  name: string;
  old_status: string;
  new_status: string;
}

export interface V2IncidentUpdate {
  id: string;
  status: string;
  body: string;
  incident_id: string;
  created_at: string;
  updated_at: string;
  display_at: string;
  affected_components: V2AffectedComponent[] | null;
  deliver_notifications: boolean;
  custom_tweet: string | null;
  tweet_id: string | null;
}

export interface V2Incident {
  id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: string;
  shortlink: string;
  started_at: string;
  page_id: string;
  incident_updates: V2IncidentUpdate[];
  components: V2Component[];
}

export interface V2Maintenance extends V2Incident {
  scheduled_for: string;
  scheduled_until: string;
}

export interface V2Status {
  indicator: Indicator;
  description: string;
}

const OPEN = new Set(['investigating', 'identified', 'monitoring']);
const ACTIVE_MAINTENANCE = new Set(['in_progress', 'verifying']);

export function isOpenIncident(i: IncidentView): boolean {
  return OPEN.has(i.status);
}

/** Statuspage has no cancelled maintenance in its public API; a cancelled one leaves the lists. */
export function publicMaintenances(s: PageSnapshot): MaintenanceView[] {
  return s.maintenances.filter((m) => m.status !== 'cancelled');
}

export function upcomingMaintenances(s: PageSnapshot): MaintenanceView[] {
  return publicMaintenances(s)
    .filter((m) => m.status === 'scheduled')
    .sort((a, b) => a.scheduled_for.localeCompare(b.scheduled_for) || a.id.localeCompare(b.id));
}

export function activeMaintenances(s: PageSnapshot): MaintenanceView[] {
  return publicMaintenances(s).filter((m) => ACTIVE_MAINTENANCE.has(m.status));
}

/** The page's updated_at: the latest change to anything it shows (not the time of rendering). */
function updatedAt(s: PageSnapshot): string {
  let latest = '1970-01-01T00:00:00.000Z';
  for (const x of [...s.components, ...s.groups, ...s.incidents, ...s.maintenances]) {
    if (x.updated_at > latest) latest = x.updated_at;
  }
  return latest;
}

export function v2Page(s: PageSnapshot): V2Page {
  return {
    id: s.pageId,
    name: s.settings.name,
    url: s.settings.url,
    time_zone: s.settings.timeZone,
    updated_at: updatedAt(s),
  };
}

function v2Component(c: ComponentView, pageId: string): V2Component {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: c.created_at,
    updated_at: c.updated_at,
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.start_date,
    group_id: c.group_id,
    page_id: pageId,
    group: false,
    only_show_if_degraded: c.only_show_if_degraded,
  };
}

/** Components and groups in page order; a group is a component with `group: true` and its members' ids. */
export function v2Components(s: PageSnapshot): V2Component[] {
  const out: V2Component[] = [];
  for (const g of s.groups) {
    const members = s.components.filter((c) => c.group_id === g.id);
    out.push({
      id: g.id,
      name: g.name,
      status: groupStatus(members.map((m) => m.status)),
      created_at: g.created_at,
      updated_at: g.updated_at,
      position: g.position,
      description: g.description,
      showcase: false,
      start_date: null,
      group_id: null,
      page_id: s.pageId,
      group: true,
      only_show_if_degraded: false,
      components: members.map((m) => m.id),
    });
  }
  for (const c of s.components) out.push(v2Component(c, s.pageId));
  return out;
}

export function v2Incident(i: IncidentView, s: PageSnapshot): V2Incident {
  return v2IncidentOn(i, { url: s.settings.url, pageId: s.pageId });
}

/** An incident in Statuspage's shape for a page at `url`; webhooks send the same shape. */
export function v2IncidentOn(i: IncidentView, page: { url: string; pageId: string }): V2Incident {
  const s = { settings: { url: page.url }, pageId: page.pageId };
  return {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: i.created_at,
    updated_at: i.updated_at,
    monitoring_at: i.monitoring_at,
    resolved_at: i.resolved_at,
    impact: i.impact,
    shortlink: `${s.settings.url}/incidents/${i.id}`,
    started_at: i.started_at,
    page_id: s.pageId,
    incident_updates: i.incident_updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: u.incident_id,
      created_at: u.published_at ?? u.created_at,
      updated_at: u.updated_at,
      display_at: u.display_at,
      affected_components: u.affected_components.length > 0 ? u.affected_components : null,
      deliver_notifications: u.deliver_notifications,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: i.components.map((c) => v2Component(c, s.pageId)),
  };
}

export function v2Maintenance(m: MaintenanceView, s: PageSnapshot): V2Maintenance {
  return {
    id: m.id,
    name: m.name,
    status: m.status,
    created_at: m.created_at,
    updated_at: m.updated_at,
    monitoring_at: null,
    resolved_at: m.completed_at,
    impact: m.impact,
    shortlink: `${s.settings.url}/incidents/${m.id}`,
    started_at: m.started_at ?? m.scheduled_for,
    page_id: s.pageId,
    incident_updates: m.updates.map((u) => ({
      id: u.id,
      status: u.status,
      body: u.body,
      incident_id: m.id,
      created_at: u.created_at,
      updated_at: u.created_at,
      display_at: u.created_at,
      affected_components: null,
      deliver_notifications: true,
      custom_tweet: null,
      tweet_id: null,
    })),
    components: m.components.map((c) => v2Component(c, s.pageId)),
    scheduled_for: m.scheduled_for,
    scheduled_until: m.scheduled_until,
  };
}

export function v2Status(s: PageSnapshot): V2Status {
  const indicator = pageIndicator({
    componentStatuses: s.components.map((c) => c.status),
    unresolvedIncidentImpacts: s.incidents.filter(isOpenIncident).map((i) => i.impact as Impact),
    maintenanceInProgress: activeMaintenances(s).length > 0,
  });
  return { indicator, description: indicatorDescription(indicator) };
}

/** Every /api/v2 document, by path. */
export function v2Documents(s: PageSnapshot): Record<string, unknown> {
  const page = v2Page(s);
  const unresolved = s.incidents.filter(isOpenIncident).map((i) => v2Incident(i, s));
  const upcoming = upcomingMaintenances(s).map((m) => v2Maintenance(m, s));
  const active = activeMaintenances(s).map((m) => v2Maintenance(m, s));
  const all = publicMaintenances(s).map((m) => v2Maintenance(m, s));
  const components = v2Components(s);
  const status = v2Status(s);
  return {
    '/api/v2/summary.json': {
      page,
      components,
      incidents: unresolved,
      scheduled_maintenances: [...active, ...upcoming],
      status,
    },
    '/api/v2/status.json': { page, status },
    '/api/v2/components.json': { page, components },
    '/api/v2/incidents.json': { page, incidents: s.incidents.slice(0, 50).map((i) => v2Incident(i, s)) },
    '/api/v2/incidents/unresolved.json': { page, incidents: unresolved },
    '/api/v2/scheduled-maintenances.json': { page, scheduled_maintenances: all.slice(0, 50) },
    '/api/v2/scheduled-maintenances/upcoming.json': { page, scheduled_maintenances: upcoming },
    '/api/v2/scheduled-maintenances/active.json': { page, scheduled_maintenances: active },
  };
}
