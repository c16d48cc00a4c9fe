/**
 * Rows turned into the plain data the services return. Field names follow
 * Statuspage's API, so the admin API, the CLI and the public API agree.
 */
import { z } from 'zod';
import { componentStatuses, impacts } from '../domain/components.ts';
import { incidentStatuses } from '../domain/incidents.ts';
import { maintenanceStatuses } from '../domain/maintenances.ts';
import { updateStates } from '../domain/updates.ts';
import { AffectedComponent, affectedComponentsOf } from '../store/json.ts';
import type {
  ComponentGroupRow,
  ComponentRow,
  IncidentRow,
  IncidentUpdateRow,
  MaintenanceRow,
  MaintenanceUpdateRow,
} from '../store/schema.ts';

/*
 * Each view is a Zod schema and its type: the admin API declares these as its
 * response schemas, so the OpenAPI document and the typed client follow the
 * services, and Fastify serializes exactly these fields.
 */

export const ComponentView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    status: z.enum(componentStatuses),
    group_id: z.string().nullable(),
    position: z.number(),
    showcase: z.boolean(),
    only_show_if_degraded: z.boolean(),
    start_date: z.string().nullable(),
    group: z.literal(false),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Component' });
export type ComponentView = z.infer<typeof ComponentView>;

export function componentView(row: ComponentRow): ComponentView {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
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

export const ComponentGroupView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    position: z.number(),
    components: z.array(z.string()).describe('The ids of the components in the group.'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'ComponentGroup' });
export type ComponentGroupView = z.infer<typeof ComponentGroupView>;

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

export const IncidentUpdateView = z
  .object({
    id: z.string(),
    incident_id: z.string(),
    status: z.enum(incidentStatuses),
    body: z.string(),
    state: z.enum(updateStates),
    audience: z.string(),
    deliver_notifications: z.boolean(),
    affected_components: z.array(AffectedComponent),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    published_at: z.string().nullable(),
    display_at: z.string(),
    next_update_at: z
      .string()
      .nullable()
      .describe(
        'When its publication said the next update for its audience is due: the instant its words name for `{{ next_update_at }}`.',
      ),
  })
  .meta({ id: 'IncidentUpdate' });
export type IncidentUpdateView = z.infer<typeof IncidentUpdateView>;

export function updateView(row: IncidentUpdateRow): IncidentUpdateView {
  return {
    id: row.id,
    incident_id: row.incident_id,
    status: row.status,
    body: row.body,
    state: row.state,
    audience: row.audience,
    deliver_notifications: row.deliver_notifications === 1,
    affected_components: affectedComponentsOf(row),
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    published_at: row.published_at,
    display_at: row.display_at,
    next_update_at: row.next_update_at,
  };
}

const Adherence = z.object({
  updates_due: z.number(),
  updates_on_time: z.number(),
  ratio: z.number().nullable(),
});

function adherenceOf(due: number, onTime: number): z.infer<typeof Adherence> {
  return {
    updates_due: due,
    updates_on_time: onTime,
    ratio: due === 0 ? null : Math.round((onTime / due) * 1000) / 1000,
  };
}

export interface DeadlineRow {
  audience: string;
  due_at: string | null;
  updates_due: number;
  updates_on_time: number;
}

export const IncidentView = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(incidentStatuses),
    impact: z.enum(impacts),
    impact_override: z.enum(impacts).nullable(),
    severity: z.string().nullable(),
    scenario: z.string().nullable(),
    drill: z.boolean(),
    started_at: z.string(),
    detected_at: z.string().nullable(),
    declared_at: z.string(),
    first_internal_at: z.string().nullable(),
    first_external_at: z.string().nullable(),
    identified_at: z.string().nullable(),
    monitoring_at: z.string().nullable(),
    resolved_at: z.string().nullable(),
    eta: z.string().nullable(),
    next_update_due_at: z.string().nullable(),
    next_internal_update_due_at: z.string().nullable(),
    cadence: Adherence.describe('Public updates that fell due, and how many were published on time.'),
    deadlines: z
      .array(
        z.object({
          audience: z.string(),
          next_update_due_at: z.string().nullable(),
          cadence: Adherence,
        }),
      )
      .describe(
        "Per external audience: when its next update is due and how well its cadence was kept. The page shows the public one (also `next_update_due_at` and `cadence`); another audience's update neither moves nor answers it.",
      ),
    roles: z
      .object({
        incident_lead: z.string().nullable(),
        comms_lead: z.string().nullable(),
        support_lead: z.string().nullable(),
      })
      .describe("Who holds the incident's roles (the plan's rota, or whoever declared it)."),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    component_ids: z.array(z.string()),
    components: z.array(ComponentView),
    incident_updates: z.array(IncidentUpdateView),
    last_resort_approvals: z
      .array(
        z.object({ update_id: z.string(), actor: z.string(), reason: z.string().nullable(), at: z.string() }),
      )
      .describe(
        'Updates an admin approved as the last resort, with their written reason: everyone the plan lets approve had written or changed them.',
      ),
  })
  .meta({ id: 'Incident' });
export type IncidentView = z.infer<typeof IncidentView>;

export function incidentView(
  row: IncidentRow,
  components: ComponentView[],
  updates: IncidentUpdateView[],
  roles: IncidentView['roles'] = { incident_lead: null, comms_lead: null, support_lead: null },
  lastResort: IncidentView['last_resort_approvals'] = [],
  deadlines: readonly DeadlineRow[] = [],
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
    cadence: adherenceOf(row.cadence_due, row.cadence_on_time),
    deadlines: deadlines.map((d) => ({
      audience: d.audience,
      next_update_due_at: d.due_at,
      cadence: adherenceOf(d.updates_due, d.updates_on_time),
    })),
    roles,
    created_by: row.created_by,
    created_at: row.created_at,
    updated_at: row.updated_at,
    component_ids: components.map((c) => c.id),
    components,
    incident_updates: updates,
    last_resort_approvals: lastResort,
  };
}

export const MaintenanceUpdateView = z
  .object({
    id: z.string(),
    maintenance_id: z.string(),
    status: z.enum(maintenanceStatuses),
    body: z.string(),
    created_by: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'MaintenanceUpdate' });
export type MaintenanceUpdateView = z.infer<typeof MaintenanceUpdateView>;

export function maintenanceUpdateView(row: MaintenanceUpdateRow): MaintenanceUpdateView {
  return { ...row };
}

export const MaintenanceView = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(maintenanceStatuses),
    impact: z.enum([...impacts, 'maintenance']),
    body: z.string(),
    scheduled_for: z.string(),
    scheduled_until: z.string(),
    scheduled_auto_in_progress: z.boolean(),
    scheduled_auto_completed: z.boolean(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    sequence: z.number(),
    created_by: z.string(),
    created_at: z.string(),
    updated_at: z.string(),
    component_ids: z.array(z.string()),
    components: z.array(ComponentView),
    updates: z.array(MaintenanceUpdateView),
  })
  .meta({ id: 'Maintenance' });
export type MaintenanceView = z.infer<typeof MaintenanceView>;

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
