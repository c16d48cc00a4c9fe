/**
 * Statuspage's public API v2 documents, from a snapshot. The shapes
 * themselves, shared with the webhooks, are in src/domain/statuspage.ts.
 */
import { groupStatus } from '../domain/components.ts';
import {
  type V2Component,
  type V2Incident,
  type V2Maintenance,
  type V2Page,
  type V2Status,
  v2Component,
  v2IncidentOn,
  v2MaintenanceOn,
  v2StatusOf,
} from '../domain/statuspage.ts';
import type { IncidentView, MaintenanceView } from '../services/views.ts';
import type { PageSnapshot } from './snapshot.ts';

const OPEN = new Set(['investigating', 'identified', 'monitoring']);
const ACTIVE_MAINTENANCE = new Set(['in_progress', 'verifying']);

export function isOpenIncident(i: IncidentView): boolean {
  return OPEN.has(i.status);
}

/** Statuspage has no cancelled maintenance in its public API; a cancelled one leaves the lists. */
function publicMaintenances(s: PageSnapshot): MaintenanceView[] {
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

/** Components and groups in page order; a group is a component with `group: true` and its members' ids. */
function v2Components(s: PageSnapshot): V2Component[] {
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

function v2Incident(i: IncidentView, s: PageSnapshot): V2Incident {
  return v2IncidentOn(i, { url: s.settings.url, pageId: s.pageId });
}

function v2Maintenance(m: MaintenanceView, s: PageSnapshot): V2Maintenance {
  return v2MaintenanceOn(m, { url: s.settings.url, pageId: s.pageId });
}

export function v2Status(s: PageSnapshot): V2Status {
  return v2StatusOf({
    componentStatuses: s.components.map((c) => c.status),
    openIncidentImpacts: s.incidents.filter(isOpenIncident).map((i) => i.impact),
    maintenanceInProgress: activeMaintenances(s).length > 0,
  });
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
