/**
 * Starting a drill: an incident of one of the plan's scenarios, marked as a
 * drill, that runs through everything real (roles from the rotas, the
 * scenario's templates, lint, approval, cadence and its reminders) while
 * its messages go only to the plan's drill audience, each marked [DRILL],
 * and its component changes stay drill state (docs/drills.md).
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { declareIncident } from '../incidents/declare.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { currentPlan } from '../plan/current.ts';
import type { IncidentView } from '../views.ts';

/** The fastest a drill may run: an hour of the plan in under four seconds. */
const maxDrillSpeed = 1000;

export const StartDrillInput = z.strictObject({
  scenario: IncidentFields.scenario.describe('The plan’s scenario to rehearse.'),
  severity: IncidentFields.severity
    .optional()
    .describe('The severity to run it at; the scenario’s by default.'),
  speed: z
    .int()
    .min(1)
    .max(maxDrillSpeed)
    .default(1)
    .describe(
      'Divides every duration of the plan for this drill (cadence, reminders, approval timeouts); scores are reported in plan time.',
    ),
  name: IncidentFields.name.optional().describe('The drill’s name; the scenario’s by default.'),
  components: IncidentFields.components
    .default({})
    .describe('Component statuses the drill starts with, as drill state: the public components never move.'),
});
export type StartDrillInput = z.input<typeof StartDrillInput>;

export async function startDrill(ctx: Ctx, raw: StartDrillInput): Promise<IncidentView> {
  authorize(ctx, 'incident.declare');
  const input = StartDrillInput.parse(raw);
  const plan = await currentPlan(ctx.db);
  const scenario = plan?.scenarios[input.scenario];
  if (plan === null || scenario === undefined) {
    throw new CrierError('validation_failed', `The plan has no scenario "${input.scenario}" to drill.`, [
      {
        path: 'scenario',
        message: `one of: ${Object.keys(plan?.scenarios ?? {}).join(', ') || 'none defined'}`,
      },
    ]);
  }
  return declareIncident(
    ctx,
    {
      name: input.name ?? scenario.name ?? input.scenario,
      scenario: input.scenario,
      ...(input.severity !== undefined && { severity: input.severity }),
      components: input.components,
      drill: true,
    },
    { speed: input.speed },
  );
}
