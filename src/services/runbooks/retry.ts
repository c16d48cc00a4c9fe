/**
 * Retrying a runbook step by hand, once what made it fail is put right (a
 * component made, a channel fixed): a step recorded as failed, or one whose
 * job the outbox gave up on (dead), is pending again and its job runs anew,
 * as the runbook, a fresh try with its full number of attempts. The steps
 * after it are not run again: they ran already.
 * Asking again while it waits changes nothing. Taking the same right as
 * replaying failed deliveries; audited as `runbook.retry` under whoever asked.
 */
import { CrierError } from '../../domain/errors.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';
import { withTransaction } from '../transaction.ts';
import { lockRun, queueStep, stepJobKey } from './execute.ts';
import { incidentRunbookRuns, type RunbookRunView } from './progress.ts';

/** A step's name in the API and the CLI: its round, list and place (`0.do.2`). */
export const stepIdPattern = /^(\d{1,4})\.(do|on_resolve)\.(\d{1,3})$/;

function parseStepId(step: string): { round: number; phase: 'do' | 'on_resolve'; position: number } {
  const m = stepIdPattern.exec(step);
  if (!m) throw new CrierError('validation_failed', `No step "${step}": steps are named like 0.do.2.`);
  return { round: Number(m[1]), phase: m[2] as 'do' | 'on_resolve', position: Number(m[3]) };
}

export async function retryRunbookStep(
  ctx: Ctx,
  incidentId: string,
  runId: string,
  step: string,
): Promise<RunbookRunView> {
  authorize(ctx, 'delivery.replay');
  const key = { run_id: runId, ...parseStepId(step) };
  await withTransaction(ctx, async (tx) => {
    await requireIncident(tx.db, incidentId);
    await lockRun(tx, runId);
    const row = await tx.db
      .selectFrom('runbook_run_steps')
      .innerJoin('runbook_runs', 'runbook_runs.id', 'runbook_run_steps.run_id')
      .select([
        'runbook_run_steps.state',
        'runbook_run_steps.kind',
        'runbook_run_steps.attempts',
        'runbook_run_steps.error',
      ])
      .where('runbook_runs.incident_id', '=', incidentId)
      .where('runbook_run_steps.run_id', '=', runId)
      .where('runbook_run_steps.round', '=', key.round)
      .where('runbook_run_steps.phase', '=', key.phase)
      .where('runbook_run_steps.position', '=', key.position)
      .executeTakeFirst();
    if (!row) throw new CrierError('not_found', `No step ${step} in run ${runId} of this incident.`);
    const job = await tx.db
      .selectFrom('outbox_jobs')
      .select('state')
      .where('dedupe_key', '=', stepJobKey(key))
      .executeTakeFirst();
    const given = row.state === 'pending' && job?.state === 'dead';
    if (row.state === 'pending' && !given) return; // On its way already: nothing to do.
    if (row.state !== 'failed' && !given) {
      throw new CrierError(
        'transition_not_allowed',
        `Step ${step} is ${row.state}: only a failed step is retried.`,
        { state: row.state },
      );
    }
    // A fresh try: no outcome, no error, and its count of attempts from zero, as its job's is
    // (armed anew below), so it gets all of them before the outbox gives up again.
    await tx.db
      .updateTable('runbook_run_steps')
      .set({ state: 'pending', attempts: 0, outcome: null, error: null, finished_at: null })
      .where('run_id', '=', runId)
      .where('round', '=', key.round)
      .where('phase', '=', key.phase)
      .where('position', '=', key.position)
      .execute();
    await queueStep(tx, key, { again: true });
    await audit(tx, {
      action: 'runbook.retry',
      subjectType: 'runbook_run',
      subjectId: runId,
      before: {
        step,
        kind: row.kind,
        state: given ? 'dead' : row.state,
        attempts: row.attempts,
        error: row.error,
      },
      after: { step, kind: row.kind, state: 'pending' },
    });
  });
  const runs = await incidentRunbookRuns(ctx, incidentId);
  const run = runs.find((r) => r.id === runId);
  if (!run) throw new CrierError('not_found', `No run ${runId} on this incident.`);
  return run;
}
