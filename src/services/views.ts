/**
 * Rows turned into the plain data the services return. Field names follow
 * Statuspage's API, so the admin API, the CLI and the public API agree.
 */
import type { ComponentStatus } from '../domain/components.ts';
import type {
  ComponentGroupRow,
  ComponentRow,
  IncidentRow,
  IncidentUpdateRow,
  MaintenanceRow,
  MaintenanceUpdateRow,
} from '../store/schema.ts';

export interface ComponentView {
  id: string;
  name: string;
  description: string | null;
  status: ComponentStatus;
  group_id: string | null;
  position: number;
  showcase: boolean;
  only_show_if_degraded: boolean;
  start_date: string | null;
  group: false;
  created_at: string;
  updated_at: string;
}

export function componentView(row: ComponentRow): ComponentView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status as ComponentStatus,
    group_id: row.group_id,
    position: row.position,
    showcase: row.showcase === 1,
    only_show_if_degraded: row.only_show_if_degraded === 1,
    start_date: row.start_date,
    group: false,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export interface ComponentGroupView {
  id: string;
  name: string;
  description: string | null;
  position: number;
  components: string[];
  created_at: string;
  updated_at: string;
}

export function groupView(row: ComponentGroupRow, componentIds: string[]): ComponentGroupView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    position: row.position,
    components: componentIds,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

export interface AffectedComponent {
  code: string;
  name: string;
  old_status: ComponentStatus;
  new_status: ComponentStatus;
}

export interface IncidentUpdateView {
  id: string;
  incident_id: string;
  status: string;
  body: string;
  state: string;
  audience: string;
  deliver_notifications: boolean;
  affected_components: AffectedComponent[];
  created_by: string;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  display_at: string;
}

export function updateView(row: IncidentUpdateRow): IncidentUpdateView {
  return {
    id: row.id,
    incident_id: row.incident_id,
    status: row.status,
    body: row.body,
    state: row.state,
    audience: row.audience,
    deliver_notifications: row.deliver_notifications === 1,
    affected_components: JSON.parse(row.affected_components) as AffectedComponent[],
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    published_at: row.published_at,
    display_at: row.display_at,
  };
}

export interface IncidentView {
  id: string;
  name: string;
  status: string;
  impact: string;
  impact_override: string | null;
  severity: string | null;
  scenario: string | null;
  drill: boolean;
  started_at: string;
  detected_at: string | null;
  declared_at: string;
  first_internal_at: string | null;
  first_external_at: string | null;
  identified_at: string | null;
  monitoring_at: string | null;
  resolved_at: string | null;
  eta: string | null;
  next_update_due_at: string | null;
  next_internal_update_due_at: string | null;
  /** External updates that fell due, and how many were published on time. */
  cadence: { updates_due: number; updates_on_time: number; ratio: number | null };
  /** Who holds the incident's roles (the plan's rota, or whoever declared it). */
  roles: { incident_lead: string | null; comms_lead: string | null; support_lead: string | null };
  created_by: string;
  created_at: string;
  updated_at: string;
  component_ids: string[];
  components: ComponentView[];
  incident_updates: IncidentUpdateView[];
}

export function incidentView(
  row: IncidentRow,
  components: ComponentView[],
  updates: IncidentUpdateView[],
  roles: IncidentView['roles'] = { incident_lead: null, comms_lead: null, support_lead: null },
): IncidentView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    impact: row.impact,
    impact_override: row.impact_override,
    severity: row.severity,
    scenario: row.scenario,
    drill: row.drill === 1,
    started_at: row.started_at,
    detected_at: row.detected_at,
    declared_at: row.declared_at,
    first_internal_at: row.first_internal_at,
    first_external_at: row.first_external_at,
    identified_at: row.identified_at,
    monitoring_at: row.monitoring_at,
    resolved_at: row.resolved_at,
    eta: row.eta,
    next_update_due_at: row.next_update_due_at,
    next_internal_update_due_at: row.next_internal_update_due_at,
    cadence: {
      updates_due: row.cadence_due,
      updates_on_time: row.cadence_on_time,
      ratio: row.cadence_due === 0 ? null : Math.round((row.cadence_on_time / row.cadence_due) * 1000) / 1000,
    },
    roles,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    component_ids: components.map((c) => c.id),
    components,
    incident_updates: updates,
  };
}

export interface MaintenanceUpdateView {
  id: string;
  maintenance_id: string;
  status: string;
  body: string;
  created_by: string;
  created_at: string;
}

export function maintenanceUpdateView(row: MaintenanceUpdateRow): MaintenanceUpdateView {
  return { ...row };
}

export interface MaintenanceView {
  id: string;
  name: string;
  status: string;
  impact: string;
  body: string;
  scheduled_for: string;
  scheduled_until: string;
  scheduled_auto_in_progress: boolean;
  scheduled_auto_completed: boolean;
  started_at: string | null;
  completed_at: string | null;
  sequence: number;
  created_by: string;
  created_at: string;
  updated_at: string;
  component_ids: string[];
  components: ComponentView[];
  updates: MaintenanceUpdateView[];
}

export function maintenanceView(
  row: MaintenanceRow,
  components: ComponentView[],
  updates: MaintenanceUpdateView[],
): MaintenanceView {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    impact: row.impact,
    body: row.body,
    scheduled_for: row.scheduled_for,
    scheduled_until: row.scheduled_until,
    scheduled_auto_in_progress: row.auto_start === 1,
    scheduled_auto_completed: row.auto_complete === 1,
    started_at: row.started_at,
    completed_at: row.completed_at,
    sequence: row.sequence,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    component_ids: components.map((c) => c.id),
    components,
    updates,
  };
}
