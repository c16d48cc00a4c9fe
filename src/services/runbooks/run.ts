/**
 * Runbooks that run: an alert fired or resolved (src/services/ingest/receive.ts
 * queued a `runbook.alert` job for it), and every runbook of the plan in
 * force that matches it acts, in the worker, each in one transaction. A
 * runbook with a `for:` waits until the alert has been firing that long (a
 * timer job); one that resolved meanwhile starts nothing. A firing alert
 * joins its group's open run; or reopens the group's incident if it was
 * resolved within the plan's reopen window (withdrawing closing words still
 * waiting for approval, as it does when the incident waits for them); or starts a run, whose steps
 * then run one outbox job each (execute.ts). Once every alert of a run is
 * resolved, its `on_resolve` steps run and the run closes. A repeated job
 * finds the work done.
 *
 * A game day's alert (labelled `crier_game_day`) rehearses the runbooks: its
 * run is in a group of its own (never joining, nor reopening, a real
 * incident's), starts with the game day's drill as its incident (so
 * `declare` takes the drill up instead of declaring), and its `for:` wait is
 * divided by the game day's speed. Every step then acts on the drill alone.
 */
import { gameDayLabel } from '../../domain/alerts.ts';
import { parseDuration } from '../../domain/duration.ts';
import type { Plan, RunbookSpec } from '../../plan/schema.ts';
import { runbookName } from '../../plan/schema.ts';
import { newId } from '../../store/ids.ts';
import { alertMapsOf } from '../../store/json.ts';
import { lockNamed } from '../../store/locks.ts';
import { enqueueJob } from '../../store/outbox.ts';
import type { AlertRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { doStepsFinished, lockRun, queueStep, runbookCtx, writeSteps } from './execute.ts';
import { groupKey, type MatchedAlert, runbookMatches } from './match.ts';
import { reopenIncident, withdrawClosingWords } from './reopen.ts';

/** How soon after its resolution an alert firing again reopens an incident, unless the plan says. */
const defaultReopenWindow = '30m';

async function openRun(tx: Ctx, name: string, key: string) {
  return tx.db
    .selectFrom('runbook_runs')
    .selectAll()
    .where('runbook', '=', name)
    .where('group_key', '=', key)
    .where('state', '=', 'open')
    .executeTakeFirst();
}

async function join(tx: Ctx, runId: string, alertId: string): Promise<void> {
  await tx.db
    .insertInto('runbook_run_alerts')
    .values({ run_id: runId, alert_id: alertId })
    .onConflict((oc) => oc.columns(['run_id', 'alert_id']).doNothing())
    .execute();
}

/**
 * The group's last run, if an alert firing now takes it up again: its
 * incident resolved within the reopen window (`reopen`), or its closing
 * words still wait for approval, the incident open (`rejoin`).
 */
async function takenUp(tx: Ctx, plan: Plan, name: string, key: string) {
  const last = await tx.db
    .selectFrom('runbook_runs')
    .innerJoin('incidents', 'incidents.id', 'runbook_runs.incident_id')
    .select([
      'runbook_runs.id',
      'runbook_runs.round',
      'incidents.id as incident_id',
      'incidents.status',
      'incidents.resolved_at',
    ])
    .where('runbook_runs.runbook', '=', name)
    .where('runbook_runs.group_key', '=', key)
    .where('runbook_runs.state', '=', 'resolved')
    .orderBy('runbook_runs.resolved_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last || last.status === 'postmortem') return null;
  if (last.status !== 'resolved') return { ...last, how: 'rejoin' as const };
  const windowMs = parseDuration(plan.ingest.reopen_window ?? defaultReopenWindow) ?? 0;
  if (last.resolved_at === null || Date.parse(last.resolved_at) < tx.clock.now().getTime() - windowMs)
    return null;
  return { ...last, how: 'reopen' as const };
}

/** The game day an alert rehearses, with its drill and speed. */
interface Rehearsal {
  id: string;
  incidentId: string;
  speed: number;
}

/**
 * The game day a labelled alert belongs to; `undefined` for a real alert,
 * null for a game day's alert whose game day is gone (nothing acts on it).
 */
async function rehearsalOf(ctx: Ctx, labels: Readonly<Record<string, string>>) {
  const id = labels[gameDayLabel];
  if (id === undefined) return undefined;
  const row = await ctx.db
    .selectFrom('game_days')
    .select(['id', 'incident_id', 'speed'])
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? { id: row.id, incidentId: row.incident_id, speed: row.speed } : null;
}

async function fire(
  ctx: Ctx,
  plan: Plan,
  runbook: RunbookSpec,
  name: string,
  alert: AlertRow,
  key: string,
  drill: Rehearsal | undefined,
) {
  await withTransaction(ctx, async (tx) => {
    await lockNamed(tx.db, `runbook:${name}:${key}`);
    const open = await openRun(tx, name, key);
    if (open) {
      await join(tx, open.id, alert.id);
      return;
    }
    const recent = await takenUp(tx, plan, name, key);
    if (recent) {
      const round = recent.round + 1;
      await lockRun(tx, recent.id);
      await tx.db
        .updateTable('runbook_runs')
        .set({ state: 'open', resolved_at: null, round })
        .where('id', '=', recent.id)
        .execute();
      await join(tx, recent.id, alert.id);
      const withdrawn = await withdrawClosingWords(runbookCtx(tx, name), recent.incident_id, alert);
      if (recent.how === 'reopen')
        await reopenIncident(runbookCtx(tx, name), plan, recent.incident_id, alert);
      await audit(runbookCtx(tx, name), {
        action: 'runbook.reopen',
        subjectType: 'runbook_run',
        subjectId: recent.id,
        after: {
          runbook: name,
          alert_id: alert.id,
          incident_id: recent.incident_id,
          round,
          reopened: recent.how === 'reopen',
          withdrawn,
        },
      });
      return;
    }
    const runId = newId();
    await tx.db
      .insertInto('runbook_runs')
      .values({
        id: runId,
        runbook: name,
        group_key: key,
        state: 'open',
        incident_id: drill?.incidentId ?? null,
        started_at: tx.clock.now().toISOString(),
        resolved_at: null,
      })
      .execute();
    await join(tx, runId, alert.id);
    await writeSteps(tx, runId, 0, 'do', runbook.do);
    await queueStep(tx, { run_id: runId, round: 0, phase: 'do', position: 0 });
    await audit(runbookCtx(tx, name), {
      action: 'runbook.fire',
      subjectType: 'runbook_run',
      subjectId: runId,
      after: {
        runbook: name,
        group: JSON.parse(key),
        alert_id: alert.id,
        ...(drill && { game_day: drill.id, incident_id: drill.incidentId }),
      },
    });
  });
}

async function resolve(ctx: Ctx, runbook: RunbookSpec, name: string, alert: AlertRow) {
  await withTransaction(ctx, async (tx) => {
    const run = await tx.db
      .selectFrom('runbook_runs')
      .innerJoin('runbook_run_alerts', 'runbook_run_alerts.run_id', 'runbook_runs.id')
      .select(['runbook_runs.id', 'runbook_runs.group_key', 'runbook_runs.incident_id', 'runbook_runs.round'])
      .where('runbook_run_alerts.alert_id', '=', alert.id)
      .where('runbook_runs.runbook', '=', name)
      .where('runbook_runs.state', '=', 'open')
      .executeTakeFirst();
    if (!run) return;
    await lockNamed(tx.db, `runbook:${name}:${run.group_key}`);
    // Another alert of the run may have closed it while this waited for the lock.
    if ((await openRun(tx, name, run.group_key))?.id !== run.id) return;
    await lockRun(tx, run.id);
    const stillFiring = await tx.db
      .selectFrom('runbook_run_alerts')
      .innerJoin('alerts', 'alerts.id', 'runbook_run_alerts.alert_id')
      .select('alerts.id')
      .where('runbook_run_alerts.run_id', '=', run.id)
      .where('alerts.status', '=', 'firing')
      .executeTakeFirst();
    if (stillFiring) return;
    await tx.db
      .updateTable('runbook_runs')
      .set({ state: 'resolved', resolved_at: tx.clock.now().toISOString() })
      .where('id', '=', run.id)
      .execute();
    await writeSteps(tx, run.id, run.round, 'on_resolve', runbook.on_resolve);
    // While `do` steps are still under way, the last of them queues these (execute.ts).
    if (runbook.on_resolve.length > 0 && (await doStepsFinished(tx, run.id)))
      await queueStep(tx, { run_id: run.id, round: run.round, phase: 'on_resolve', position: 0 });
    await audit(runbookCtx(tx, name), {
      action: 'runbook.resolve',
      subjectType: 'runbook_run',
      subjectId: run.id,
      after: { runbook: name, alert_id: alert.id, incident_id: run.incident_id, round: run.round },
    });
  });
}

/**
 * Whether a runbook with a `for:` must wait for this firing alert: if so, a
 * timer job asks again once the alert has been firing that long.
 */
async function mustWait(
  ctx: Ctx,
  runbook: RunbookSpec,
  name: string,
  alert: AlertRow,
  speed: number,
): Promise<boolean> {
  if (runbook.for === undefined) return false;
  const since = alert.status_changed_at ?? alert.first_received_at;
  const due = Date.parse(since) + (parseDuration(runbook.for) ?? 0) / speed;
  if (ctx.clock.now().getTime() >= due) return false;
  await enqueueJob(ctx, {
    kind: 'runbook.alert',
    payload: { alert_id: alert.id, runbook: name },
    runAt: new Date(due),
    dedupeKey: `runbook.for:${name}:${alert.id}:${since}`,
  });
  return true;
}

/**
 * Runs the plan's runbooks that match an alert, as it stands now (a later
 * delivery may have resolved it); only `only`, when its `for:` wait is over.
 */
export async function runRunbooks(ctx: Ctx, alertId: string, only?: string): Promise<void> {
  const plan = await currentPlan(ctx.db);
  if (!plan || plan.runbooks.length === 0) return;
  const alert = await ctx.db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
  if (!alert) return;
  const matched: MatchedAlert = {
    source: alert.source,
    severity: alert.severity,
    labels: alertMapsOf(alert).labels,
  };
  const drill = await rehearsalOf(ctx, matched.labels);
  if (drill === null) return;
  for (const [index, runbook] of plan.runbooks.entries()) {
    const name = runbookName(runbook, index);
    if (only !== undefined && name !== only) continue;
    // A runbook that declares nothing (one stored by an earlier Crier) has nothing to run.
    if (!runbook.do.some((step) => step.declare !== undefined) || !runbookMatches(runbook, matched)) continue;
    if (alert.status === 'firing') {
      if (await mustWait(ctx, runbook, name, alert, drill?.speed ?? 1)) continue;
      await fire(ctx, plan, runbook, name, alert, groupOf(runbook, matched, drill), drill);
    } else await resolve(ctx, runbook, name, alert);
  }
}

/** The alert's group: a game day's alerts make a group of their own, apart from every real one. */
function groupOf(runbook: RunbookSpec, alert: MatchedAlert, drill: Rehearsal | undefined): string {
  const key = groupKey(runbook, alert);
  return drill ? JSON.stringify([`game-day:${drill.id}`, ...(JSON.parse(key) as string[])]) : key;
}
