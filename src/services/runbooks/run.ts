/**
 * Runbooks that run: an alert fired or resolved (src/services/ingest/receive.ts
 * queued a `runbook.alert` job for it), and every runbook of the plan in
 * force that matches it acts, in the worker, each in one transaction. A
 * firing alert joins its group's open run, or starts one: the `declare` step
 * declares the incident from the scenario, whose first notice follows the
 * severity's approval policy. Once every alert of a run is resolved, its
 * `on_resolve` steps run (`resolve`: the scenario's resolved words, through
 * the same policy) and the run closes. A repeated job finds the work done.
 */
import type { RunbookSpec } from '../../plan/schema.ts';
import { runbookName } from '../../plan/schema.ts';
import { newId } from '../../store/ids.ts';
import { alertMapsOf } from '../../store/json.ts';
import { lockNamed } from '../../store/locks.ts';
import type { AlertRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { actingAs, type Ctx } from '../context.ts';
import { declareIncident } from '../incidents/declare.ts';
import { resolveIncident } from '../incidents/resolve.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { groupKey, type MatchedAlert, runbookMatches } from './match.ts';

/** The runbook acts under its own name in the audit log, with what an admin may do. */
function runbookCtx(ctx: Ctx, name: string): Ctx {
  return actingAs(ctx, { id: `runbook:${name}`, role: 'admin', source: 'runbook' });
}

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

async function fire(ctx: Ctx, runbook: RunbookSpec, name: string, alert: AlertRow, key: string) {
  await withTransaction(ctx, async (tx) => {
    await lockNamed(tx.db, `runbook:${name}:${key}`);
    const open = await openRun(tx, name, key);
    if (open) {
      await join(tx, open.id, alert.id);
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
        incident_id: null,
        started_at: tx.clock.now().toISOString(),
        resolved_at: null,
      })
      .execute();
    await join(tx, runId, alert.id);
    let incidentId: string | null = null;
    for (const step of runbook.do) {
      if (step.declare === undefined) continue;
      const incident = await declareIncident(runbookCtx(tx, name), {
        name: step.declare.name ?? alert.title.slice(0, 200),
        scenario: step.declare.scenario,
        ...(step.declare.severity !== undefined && { severity: step.declare.severity }),
        components: step.declare.components,
        ...(alert.starts_at !== null && { started_at: alert.starts_at }),
        detected_at: alert.first_received_at,
      });
      incidentId = incident.id;
      await tx.db
        .updateTable('runbook_runs')
        .set({ incident_id: incidentId })
        .where('id', '=', runId)
        .execute();
    }
    await audit(runbookCtx(tx, name), {
      action: 'runbook.fire',
      subjectType: 'runbook_run',
      subjectId: runId,
      after: { runbook: name, group: JSON.parse(key), alert_id: alert.id, incident_id: incidentId },
    });
  });
}

async function resolve(ctx: Ctx, runbook: RunbookSpec, name: string, alert: AlertRow) {
  await withTransaction(ctx, async (tx) => {
    const run = await tx.db
      .selectFrom('runbook_runs')
      .innerJoin('runbook_run_alerts', 'runbook_run_alerts.run_id', 'runbook_runs.id')
      .select(['runbook_runs.id', 'runbook_runs.group_key', 'runbook_runs.incident_id'])
      .where('runbook_run_alerts.alert_id', '=', alert.id)
      .where('runbook_runs.runbook', '=', name)
      .where('runbook_runs.state', '=', 'open')
      .executeTakeFirst();
    if (!run) return;
    await lockNamed(tx.db, `runbook:${name}:${run.group_key}`);
    // Another alert of the run may have closed it while this waited for the lock.
    if ((await openRun(tx, name, run.group_key))?.id !== run.id) return;
    const stillFiring = await tx.db
      .selectFrom('runbook_run_alerts')
      .innerJoin('alerts', 'alerts.id', 'runbook_run_alerts.alert_id')
      .select('alerts.id')
      .where('runbook_run_alerts.run_id', '=', run.id)
      .where('alerts.status', '=', 'firing')
      .executeTakeFirst();
    if (stillFiring) return;
    const incident =
      run.incident_id === null
        ? undefined
        : await tx.db
            .selectFrom('incidents')
            .select(['id', 'status'])
            .where('id', '=', run.incident_id)
            .executeTakeFirst();
    for (const step of runbook.on_resolve) {
      // Someone may have resolved it already: that stands.
      if (
        step.resolve === undefined ||
        !incident ||
        incident.status === 'resolved' ||
        incident.status === 'postmortem'
      )
        continue;
      await resolveIncident(runbookCtx(tx, name), incident.id, {});
    }
    await tx.db
      .updateTable('runbook_runs')
      .set({ state: 'resolved', resolved_at: tx.clock.now().toISOString() })
      .where('id', '=', run.id)
      .execute();
    await audit(runbookCtx(tx, name), {
      action: 'runbook.resolve',
      subjectType: 'runbook_run',
      subjectId: run.id,
      after: { runbook: name, alert_id: alert.id, incident_id: run.incident_id },
    });
  });
}

/** Runs the plan's runbooks that match an alert, as it stands now (a later delivery may have resolved it). */
export async function runRunbooks(ctx: Ctx, alertId: string): Promise<void> {
  const plan = await currentPlan(ctx.db);
  if (!plan || plan.runbooks.length === 0) return;
  const alert = await ctx.db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
  if (!alert) return;
  const matched: MatchedAlert = {
    source: alert.source,
    severity: alert.severity,
    labels: alertMapsOf(alert).labels,
  };
  for (const [index, runbook] of plan.runbooks.entries()) {
    // A runbook that declares nothing (one stored by an earlier Crier) has nothing to run.
    if (!runbook.do.some((step) => step.declare !== undefined) || !runbookMatches(runbook, matched)) continue;
    const name = runbookName(runbook, index);
    if (alert.status === 'firing') await fire(ctx, runbook, name, alert, groupKey(runbook, matched));
    else await resolve(ctx, runbook, name, alert);
  }
}
