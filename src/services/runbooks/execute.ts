/**
 * Running a runbook's steps, one outbox job each: a step's job runs it in
 * one transaction with the record of its outcome, its audit entry and the
 * next step's job, so a job run twice (a worker lost its lease) finds the
 * step done and does nothing. Steps run in their list's order; a run's
 * `on_resolve` steps start once its `do` steps are through. A step refused
 * (CrierError) is recorded as failed and the run goes on; any other error
 * is retried by the outbox, counted on the step.
 */
import { CrierError } from '../../domain/errors.ts';
import { type RunbookStep, runbookStepKinds, stepOf } from '../../plan/runbooks.ts';
import { lockNamed } from '../../store/locks.ts';
import { enqueueJob, type JobPayloads } from '../../store/outbox.ts';
import type { RunbookRunStepTable } from '../../store/schema-ingest.ts';
import { audit } from '../audit.ts';
import { actingAs, type Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { type StepOutcome, stepRunners } from './steps.ts';

type StepKey = JobPayloads['runbook.step'];
type Phase = StepKey['phase'];

/** The runbook acts under its own name in the audit log, with what an admin may do. */
export function runbookCtx(ctx: Ctx, name: string): Ctx {
  return actingAs(ctx, { id: `runbook:${name}`, role: 'admin', source: 'runbook' });
}

export function lockRun(tx: Ctx, runId: string): Promise<void> {
  return lockNamed(tx.db, `runbook-run:${runId}`);
}

/** The dedupe key of a step's job: one job per step. */
export function stepJobKey(key: StepKey): string {
  return `runbook.step:${key.run_id}:${key.round}:${key.phase}:${key.position}`;
}

/**
 * Queues one step's job; a second queueing of the same step does nothing,
 * unless `again` (a retry by hand): then its finished job is armed anew.
 */
export async function queueStep(tx: Ctx, key: StepKey, { again = false } = {}): Promise<void> {
  await enqueueJob(tx, { kind: 'runbook.step', payload: key, dedupeKey: stepJobKey(key), replace: again });
}

/** Writes a list of steps for a run, pending, with their settings as the plan gives them now. */
export async function writeSteps(
  tx: Ctx,
  runId: string,
  round: number,
  phase: Phase,
  steps: readonly RunbookStep[],
): Promise<void> {
  if (steps.length === 0) return;
  const now = tx.clock.now().toISOString();
  await tx.db
    .insertInto('runbook_run_steps')
    .values(
      steps.map((step, position) => {
        const { kind, settings } = stepOf(step);
        return {
          run_id: runId,
          round,
          phase,
          position,
          kind,
          spec: JSON.stringify(settings),
          state: 'pending' as const,
          attempts: 0,
          outcome: null,
          error: null,
          created_at: now,
          finished_at: null,
        };
      }),
    )
    .onConflict((oc) => oc.columns(['run_id', 'round', 'phase', 'position']).doNothing())
    .execute();
}

/** Whether every `do` step of the run has finished (done, skipped or failed). */
export async function doStepsFinished(tx: Ctx, runId: string): Promise<boolean> {
  const pending = await tx.db
    .selectFrom('runbook_run_steps')
    .select('position')
    .where('run_id', '=', runId)
    .where('phase', '=', 'do')
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return pending === undefined;
}

/** After a step: the next of its list, or the run's closing steps once its `do` steps are through. */
async function queueNext(tx: Ctx, key: StepKey): Promise<void> {
  const next = await tx.db
    .selectFrom('runbook_run_steps')
    .select('position')
    .where('run_id', '=', key.run_id)
    .where('round', '=', key.round)
    .where('phase', '=', key.phase)
    .where('position', '=', key.position + 1)
    .executeTakeFirst();
  if (next) {
    await queueStep(tx, { ...key, position: key.position + 1 });
    return;
  }
  if (key.phase !== 'do') return;
  // The alerts resolved while the `do` steps were under way: the closing steps follow them now.
  const run = await tx.db
    .selectFrom('runbook_runs')
    .select(['state', 'round'])
    .where('id', '=', key.run_id)
    .executeTakeFirst();
  if (run?.state !== 'resolved') return;
  const closing = await tx.db
    .selectFrom('runbook_run_steps')
    .select('position')
    .where('run_id', '=', key.run_id)
    .where('round', '=', run.round)
    .where('phase', '=', 'on_resolve')
    .where('position', '=', 0)
    .executeTakeFirst();
  if (closing)
    await queueStep(tx, { run_id: key.run_id, round: run.round, phase: 'on_resolve', position: 0 });
}

/** The step a key names: its run, round, list and place. */
function theStep(key: StepKey) {
  const { run_id, round, phase, position } = key;
  return { run_id, round, phase, position };
}

/** The step, locked with its run, while it is still pending; null once it has run. */
async function pendingStep(tx: Ctx, key: StepKey) {
  await lockRun(tx, key.run_id);
  const step = await tx.db
    .selectFrom('runbook_run_steps')
    .selectAll()
    .where((eb) => eb.and(theStep(key)))
    .executeTakeFirst();
  if (step?.state !== 'pending') return null;
  const run = await tx.db
    .selectFrom('runbook_runs')
    .selectAll()
    .where('id', '=', key.run_id)
    .executeTakeFirstOrThrow();
  return { step, run };
}

async function finish(
  tx: Ctx,
  runbook: string,
  key: StepKey,
  kind: string,
  result: Pick<RunbookRunStepTable, 'state' | 'outcome' | 'error'>,
): Promise<void> {
  await tx.db
    .updateTable('runbook_run_steps')
    .set({ ...result, finished_at: tx.clock.now().toISOString() })
    .where((eb) => eb.and(theStep(key)))
    .execute();
  await audit(runbookCtx(tx, runbook), {
    action: 'runbook.step',
    subjectType: 'runbook_run',
    subjectId: key.run_id,
    after: { ...key, kind, ...result },
  });
  await queueNext(tx, key);
}

/** Runs one step of a run (the `runbook.step` job). */
export async function runRunbookStep(ctx: Ctx, key: StepKey): Promise<void> {
  try {
    await withTransaction(ctx, async (tx) => {
      const pending = await pendingStep(tx, key);
      if (!pending) return;
      const { step, run } = pending;
      const plan = await currentPlan(tx.db);
      const incident =
        run.incident_id === null
          ? null
          : ((await tx.db
              .selectFrom('incidents')
              .selectAll()
              .where('id', '=', run.incident_id)
              .executeTakeFirst()) ?? null);
      const alert =
        (await tx.db
          .selectFrom('alerts')
          .innerJoin('runbook_run_alerts', 'runbook_run_alerts.alert_id', 'alerts.id')
          .selectAll('alerts')
          .where('runbook_run_alerts.run_id', '=', run.id)
          .orderBy('alerts.first_received_at')
          .limit(1)
          .executeTakeFirst()) ?? null;
      const draftsExternal =
        (
          await tx.db
            .selectFrom('runbook_run_steps')
            .select('kind')
            .where('run_id', '=', run.id)
            .where('phase', '=', 'do')
            .where('kind', '=', 'draft_external')
            .execute()
        ).length > 0;
      const kind = step.kind as keyof typeof runbookStepKinds;
      if (!(kind in stepRunners))
        throw new CrierError('not_supported_yet', `No runbook step "${step.kind}".`);
      const settings = runbookStepKinds[kind].schema.parse(JSON.parse(step.spec));
      let result: StepOutcome;
      if (key.phase === 'on_resolve' && (run.state !== 'resolved' || run.round !== key.round)) {
        result = { state: 'skipped', outcome: 'an alert fired again before it ran' };
      } else if (kind !== 'declare' && incident === null) {
        result = { state: 'skipped', outcome: 'no incident to act on' };
      } else {
        // The table pairs each kind with its own settings' runner.
        const runner = stepRunners[kind] as (
          r: Parameters<(typeof stepRunners)['declare']>[0],
          s: unknown,
        ) => Promise<StepOutcome>;
        result = await runner(
          { tx: runbookCtx(tx, run.runbook), plan, runbook: run.runbook, incident, alert, draftsExternal },
          settings,
        );
      }
      if (result.incidentId !== undefined) {
        await tx.db
          .updateTable('runbook_runs')
          .set({ incident_id: result.incidentId })
          .where('id', '=', run.id)
          .execute();
      }
      await finish(tx, run.runbook, key, step.kind, {
        state: result.state,
        outcome: result.outcome,
        error: null,
      });
    });
  } catch (err) {
    if (!(err instanceof CrierError)) {
      await ctx.db
        .updateTable('runbook_run_steps')
        .set((eb) => ({
          attempts: eb('attempts', '+', 1),
          error: String((err as Error).message).slice(0, 500),
        }))
        .where((eb) => eb.and(theStep(key)))
        .execute()
        .catch(() => undefined);
      throw err;
    }
    // Refused: retrying would be refused again. Recorded, and the run goes on.
    await withTransaction(ctx, async (tx) => {
      const pending = await pendingStep(tx, key);
      if (!pending) return;
      await finish(tx, pending.run.runbook, key, pending.step.kind, {
        state: 'failed',
        outcome: null,
        error: err.message.slice(0, 500),
      });
    });
  }
}
