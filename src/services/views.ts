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
import type { AudienceDeadline } from './cadence/deadlines.ts';
import { viewOf } from './view-of.ts';

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

const componentColumns = [
  'id',
  'name',
  'description',
  'status',
  'group_id',
  'position',
  'start_date',
  'created_at',
  'updated_at',
] as const;

export function componentView(row: ComponentRow): ComponentView {
  return viewOf(ComponentView, componentColumns, row, {
    showcase: row.showcase === 1,
    only_show_if_degraded: row.only_show_if_degraded === 1,
    group: false,
  });
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

const groupColumns = ['id', 'name', 'description', 'position', 'created_at', 'updated_at'] as const;

export function groupView(row: ComponentGroupRow, componentIds: string[]): ComponentGroupView {
  return viewOf(ComponentGroupView, groupColumns, row, { components: componentIds });
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

const updateColumns = [
  'id',
  'incident_id',
  'status',
  'body',
  'state',
  'audience',
  'created_by',
  'created_at',
  'updated_at',
  'published_at',
  'display_at',
  'next_update_at',
] as const;

export function updateView(row: IncidentUpdateRow): IncidentUpdateView {
  return viewOf(IncidentUpdateView, updateColumns, row, {
    deliver_notifications: row.deliver_notifications === 1,
    affected_components: affectedComponentsOf(row),
  });
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
    drill_speed: z
      .number()
      .int()
      .describe('A drill’s speed: every duration of the plan is divided by it (1 for real incidents).'),
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

const incidentColumns = [
  'id',
  'name',
  'status',
  'impact',
  'impact_override',
  'severity',
  'scenario',
  'drill_speed',
  'started_at',
  'detected_at',
  'declared_at',
  'first_internal_at',
  'first_external_at',
  'identified_at',
  'monitoring_at',
  'resolved_at',
  'eta',
  'next_update_due_at',
  'next_internal_update_due_at',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export function incidentView(
  row: IncidentRow,
  components: ComponentView[],
  updates: IncidentUpdateView[],
  roles: IncidentView['roles'] = { incident_lead: null, comms_lead: null, support_lead: null },
  lastResort: IncidentView['last_resort_approvals'] = [],
  deadlines: readonly AudienceDeadline[] = [],
): IncidentView {
  return viewOf(IncidentView, incidentColumns, row, {
    drill: row.drill === 1,
    cadence: adherenceOf(row.cadence_due, row.cadence_on_time),
    deadlines: deadlines.map((d) => ({
      audience: d.audience,
      next_update_due_at: d.due_at,
      cadence: adherenceOf(d.updates_due, d.updates_on_time),
    })),
    roles,
    component_ids: components.map((c) => c.id),
    components,
    incident_updates: updates,
    last_resort_approvals: lastResort,
  });
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

const maintenanceUpdateColumns = MaintenanceUpdateView.keyof().options;

export function maintenanceUpdateView(row: MaintenanceUpdateRow): MaintenanceUpdateView {
  return viewOf(MaintenanceUpdateView, maintenanceUpdateColumns, row, {});
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

const maintenanceColumns = [
  'id',
  'name',
  'status',
  'impact',
  'body',
  'scheduled_for',
  'scheduled_until',
  'started_at',
  'completed_at',
  'sequence',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export function maintenanceView(
  row: MaintenanceRow,
  components: ComponentView[],
  updates: MaintenanceUpdateView[],
): MaintenanceView {
  return viewOf(MaintenanceView, maintenanceColumns, row, {
    scheduled_auto_in_progress: row.auto_start === 1,
    scheduled_auto_completed: row.auto_complete === 1,
    component_ids: components.map((c) => c.id),
    components,
    updates,
  });
}
