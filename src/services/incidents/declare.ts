import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { incidentStatuses } from '../../domain/incidents.ts';
import { type Plan, privatePageOf } from '../../plan/schema.ts';
import { newId } from '../../store/ids.ts';
import type { IncidentRow } from '../../store/schema.ts';
import { startCadence } from '../cadence/cadence.ts';
import { openRooms } from '../chat/rooms.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan, latestPlanVersion } from '../plan/current.ts';
import { assignInitialRoles } from '../plan/roles.ts';
import { startSentimentWatch } from '../sentiment/watch.ts';
import { verbSpan } from '../traced.ts';
import { withTransaction } from '../transaction.ts';
import { appendUpdate } from '../updates/post.ts';
import { renderForIncident, TemplateVariablesInput } from '../updates/render.ts';
import type { IncidentView } from '../views.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident } from './queries.ts';

export const DeclareIncidentInput = z.strictObject({
  name: IncidentFields.name,
  status: z.enum(incidentStatuses).exclude(['postmortem']).default('investigating'),
  /** The first update's text; by default the scenario's template for the status, or a generic line. */
  body: IncidentFields.body.optional(),
  /** For the scenario's template: what customers experience, and a workaround. */
  variables: TemplateVariablesInput.default({}),
  impact_override: IncidentFields.impact_override.optional(),
  component_ids: IncidentFields.component_ids.default([]),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  audience: IncidentFields.audience,
  severity: IncidentFields.severity.optional(),
  scenario: IncidentFields.scenario.optional(),
  started_at: IncidentFields.instant.optional(),
  detected_at: IncidentFields.instant.optional(),
  eta: IncidentFields.instant.nullable().optional(),
  drill: z.boolean().default(false),
});
export type DeclareIncidentInput = z.input<typeof DeclareIncidentInput>;

const defaultBody = 'We are investigating this issue and will post an update soon.';

/** With a plan, a named scenario and severity must exist in it; the scenario is returned. */
function checkScenario(plan: Plan | null, scenario: string | undefined, severity: string | undefined) {
  if (plan === null) return undefined;
  if (severity !== undefined && !(severity in plan.severities)) {
    throw new CrierError('validation_failed', `The plan has no severity "${severity}".`, [
      { path: 'severity', message: `one of: ${Object.keys(plan.severities).join(', ') || 'none defined'}` },
    ]);
  }
  if (scenario === undefined) return undefined;
  const spec = plan.scenarios[scenario];
  if (!spec) {
    throw new CrierError('validation_failed', `The plan has no scenario "${scenario}".`, [
      { path: 'scenario', message: `one of: ${Object.keys(plan.scenarios).join(', ') || 'none defined'}` },
    ]);
  }
  return spec;
}

/** What only a drill sets: its speed, which divides every duration of the plan (startDrill). */
export interface DeclareOptions {
  speed?: number;
}

/**
 * Declares an incident with its first update, setting the component statuses
 * it names. With a plan: the scenario gives severity, impact and the first
 * words; the roles are assigned from the rotas; the first external notice
 * falls due. Declared to an audience that has a private page (`audience:
 * enterprise`), the incident is private: it shows on that page only, and its
 * component changes are its own.
 */
export async function declareIncident(
  ctx: Ctx,
  raw: DeclareIncidentInput,
  options: DeclareOptions = {},
): Promise<IncidentView> {
  authorize(ctx, 'incident.declare');
  const input = DeclareIncidentInput.parse(raw);
  const id = await verbSpan(ctx, 'declareIncident', () =>
    withTransaction(ctx, async (tx) => {
      const now = tx.clock.now().toISOString();
      const plan = await currentPlan(tx.db);
      const scenario = checkScenario(plan, input.scenario, input.severity);
      let incident: IncidentRow = {
        id: newId(),
        name: input.name,
        // Inserted as investigating; the first update moves it to the declared status, checked like any move.
        status: 'investigating',
        // The scenario's impact is a floor: component statuses can raise it, never lower it.
        impact: scenario?.impact ?? 'none',
        impact_override: input.impact_override ?? null,
        severity: input.severity ?? scenario?.severity ?? null,
        scenario: input.scenario ?? null,
        drill: input.drill ? 1 : 0,
        started_at: input.started_at ?? input.detected_at ?? now,
        detected_at: input.detected_at ?? null,
        declared_at: now,
        first_internal_at: null,
        first_external_at: null,
        identified_at: null,
        monitoring_at: null,
        resolved_at: null,
        eta: input.eta ?? null,
        next_update_due_at: null,
        created_by: tx.actor.id,
        created_at: now,
        updated_at: now,
        next_internal_update_due_at: null,
        cadence_due: 0,
        cadence_on_time: 0,
        drill_speed: input.drill ? (options.speed ?? 1) : 1,
        // Declared to an audience with a private page, the incident is private to it.
        audience: input.drill || privatePageOf(plan, input.audience) === null ? null : input.audience,
        plan_version: plan === null ? null : await latestPlanVersion(tx.db),
      };
      await tx.db.insertInto('incidents').values(incident).execute();
      await assignInitialRoles(tx, incident, plan);
      await openRooms(tx, incident, plan);
      await startSentimentWatch(tx, incident, plan);
      incident = await startCadence(tx, incident, plan);
      const rendered =
        input.body === undefined && scenario?.templates[input.status] !== undefined
          ? await renderForIncident(tx, plan, incident, {
              status: input.status,
              impact: input.variables.impact,
              workaround: input.variables.workaround,
              componentIds: [...input.component_ids, ...Object.keys(input.components)],
            })
          : null;
      await appendUpdate(tx, incident, {
        status: input.status,
        body: input.body ?? rendered?.body ?? defaultBody,
        ...(rendered && { variants: rendered.variants, translations: rendered.translations }),
        onLintFailure: 'keep_draft',
        audience: input.audience,
        deliverNotifications: input.deliver_notifications,
        components: input.components,
        componentIds: input.component_ids,
        impactOverride: input.impact_override ?? null,
        action: 'incident.declare',
      });
      return incident.id;
    }),
  );
  return getIncident(ctx.db, id);
}
