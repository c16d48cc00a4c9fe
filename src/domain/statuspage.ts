/**
 * Statuspage's v2 JSON shapes, field for field, shared by the public API
 * (src/statuspage) and the webhooks (src/delivery): existing clients,
 * widgets and aggregators read them unchanged. Pure: each function takes
 * the facts it shows and returns the document. Key order is fixed, so the
 * same facts always give the same bytes (the static export relies on it).
 */
import { createHash } from 'node:crypto';
import {
  type ComponentStatus,
  type Impact,
  type Indicator,
  indicatorDescription,
  pageIndicator,
} from './components.ts';

/** A stable page id derived from the public URL, so every process, the export and the webhooks agree. */
export function pageIdOf(publicUrl: string): string {
  return createHash('sha256').update(publicUrl).digest('hex').slice(0, 12);
}

/** The page an incident or component is shown on. */
export interface V2PageRef {
  url: string;
  pageId: string;
}

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

interface V2AffectedComponent {
  code: string;
  name: string;
  old_status: string;
  new_status: string;
}

interface V2IncidentUpdate {
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

/** What a component document shows. */
export interface ComponentFacts {
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
  only_show_if_degraded: boolean;
}

/** What an incident document shows: its fields, published updates and components. */
export interface IncidentFacts {
  id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  impact: string;
  started_at: string;
  incident_updates: {
    id: string;
    status: string;
    body: string;
    incident_id: string;
    created_at: string;
    published_at: string | null;
    updated_at: string;
    display_at: string;
    affected_components: V2AffectedComponent[];
    deliver_notifications: boolean;
  }[];
  components: ComponentFacts[];
}

/** What a scheduled maintenance document shows. */
export interface MaintenanceFacts {
  id: string;
  name: string;
  status: string;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  impact: string;
  started_at: string | null;
  scheduled_for: string;
  scheduled_until: string;
  updates: { id: string; status: string; body: string; created_at: string }[];
  components: ComponentFacts[];
}

export function v2Component(c: ComponentFacts, pageId: string): V2Component {
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

/** An incident in Statuspage's shape for a page at `url`; webhooks send the same shape. */
export function v2IncidentOn(i: IncidentFacts, page: V2PageRef): V2Incident {
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

/** A scheduled maintenance in Statuspage's shape for a page at `url`. */
export function v2MaintenanceOn(m: MaintenanceFacts, page: V2PageRef): V2Maintenance {
  const s = { settings: { url: page.url }, pageId: page.pageId };
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

/** What the page's overall status is made of. */
export interface StatusFacts {
  componentStatuses: readonly ComponentStatus[];
  /** Impacts of the public incidents still open. */
  openIncidentImpacts: readonly Impact[];
  maintenanceInProgress: boolean;
}

/** `status.json`'s status: the indicator and its words. Component webhooks carry the same. */
export function v2StatusOf(facts: StatusFacts): V2Status {
  const indicator = pageIndicator({
    componentStatuses: facts.componentStatuses,
    unresolvedIncidentImpacts: facts.openIncidentImpacts,
    maintenanceInProgress: facts.maintenanceInProgress,
  });
  return { indicator, description: indicatorDescription(indicator) };
}
