/** A run's progress, per incident: the runs that acted on it, their alerts, and each step as it stands. */
import { z } from 'zod';
import { alertStatuses, ingestSources } from '../../domain/alerts.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';
import { stepJobKey } from './execute.ts';

const RunbookStepView = z
  .object({
    id: z.string().describe('Its name for a retry: round, list and place (`0.do.2`).'),
    round: z.number().int().describe('0; one more for each time an alert reopened the incident.'),
    phase: z.enum(['do', 'on_resolve']),
    position: z.number().int().describe('Its place in the list, from 0.'),
    kind: z
      .string()
      .describe('declare, assign_roles, notify, draft_external, set_component_status, page, resolve …'),
    state: z.enum(['pending', 'done', 'skipped', 'failed']),
    attempts: z.number().int().describe('Tries that failed and were retried.'),
    gave_up: z
      .boolean()
      .describe(
        'Pending, but the outbox gave up on its job after its tries (dead): it runs again only when retried.',
      ),
    outcome: z.string().nullable().describe('What it did, in a line.'),
    error: z.string().nullable().describe('Why it failed (or, while pending, why its last try did).'),
    finished_at: z.string().nullable(),
  })
  .meta({ id: 'RunbookStep' });

export const RunbookRunView = z
  .object({
    id: z.string(),
    runbook: z.string(),
    group: z.array(z.string()).describe('The values of the runbook’s group_by labels.'),
    state: z.enum(['open', 'resolved']).describe('open while any of its alerts fires.'),
    round: z.number().int(),
    started_at: z.string(),
    resolved_at: z.string().nullable(),
    alerts: z.array(
      z.object({
        id: z.string(),
        source: z.enum(ingestSources),
        fingerprint: z.string(),
        status: z.enum(alertStatuses),
        title: z.string(),
      }),
    ),
    steps: z.array(RunbookStepView),
  })
  .meta({ id: 'RunbookRun' });
export type RunbookRunView = z.infer<typeof RunbookRunView>;

export async function incidentRunbookRuns(ctx: Ctx, incidentId: string): Promise<RunbookRunView[]> {
  authorize(ctx, 'read');
  await requireIncident(ctx.db, incidentId);
  const runs = await ctx.db
    .selectFrom('runbook_runs')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('started_at')
    .execute();
  const views: RunbookRunView[] = [];
  for (const run of runs) {
    const alerts = await ctx.db
      .selectFrom('alerts')
      .innerJoin('runbook_run_alerts', 'runbook_run_alerts.alert_id', 'alerts.id')
      .select(['alerts.id', 'alerts.source', 'alerts.fingerprint', 'alerts.status', 'alerts.title'])
      .where('runbook_run_alerts.run_id', '=', run.id)
      .orderBy('alerts.first_received_at')
      .execute();
    const steps = await ctx.db
      .selectFrom('runbook_run_steps')
      .select(['round', 'phase', 'position', 'kind', 'state', 'attempts', 'outcome', 'error', 'finished_at'])
      .where('run_id', '=', run.id)
      .orderBy('round')
      .orderBy('phase')
      .orderBy('position')
      .execute();
    const keys = steps.map((s) => stepJobKey({ run_id: run.id, ...s }));
    const dead = new Set(
      keys.length === 0
        ? []
        : (
            await ctx.db
              .selectFrom('outbox_jobs')
              .select('dedupe_key')
              .where('dedupe_key', 'in', keys)
              .where('state', '=', 'dead')
              .execute()
          ).map((j) => j.dedupe_key),
    );
    const named = steps.map((s, i) => ({
      id: `${s.round}.${s.phase}.${s.position}`,
      ...s,
      gave_up: s.state === 'pending' && dead.has(keys[i] ?? ''),
    }));
    const group: unknown = JSON.parse(run.group_key);
    views.push({
      id: run.id,
      runbook: run.runbook,
      group: Array.isArray(group) ? group.map(String) : [],
      state: run.state,
      round: run.round,
      started_at: run.started_at,
      resolved_at: run.resolved_at,
      alerts,
      steps: named,
    });
  }
  return views;
}
