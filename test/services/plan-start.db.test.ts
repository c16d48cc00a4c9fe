/**
 * The plan file at start never undoes a plan: a file unchanged since it was
 * last applied changes nothing (a later version applied through the API
 * stays in force); a changed file is applied as a new version, naming the
 * version it replaced; a changed file that holds the plan in force is
 * recorded on that version. On both databases, through the services.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { listAudit } from '../../src/services/audit-log.ts';
import type { Ctx } from '../../src/services/context.ts';
import {
  applyPlan,
  currentPlan,
  getCurrentPlanView,
  listPlanVersions,
  sha256,
} from '../../src/services/plan/current.ts';
import { applyPlanFileAtStart, warnOfUnsupportedInForce } from '../../src/services/plan/startup.ts';
import type { Db } from '../../src/store/db.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';
import { planConfig, sev1Plan } from '../helpers/plan.ts';

interface Logged {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A started process's context: the plan file at `file`, a log the test reads. */
function startCtx(db: Db, clock: TestClock, file: string) {
  const lines: Logged[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Logged) });
  const ctx: Ctx = { ...testCtx(db, { clock, config: planConfig({ CRIER_PLAN: file }) }), log };
  return { ctx, lines };
}

function admin(db: Db, clock: TestClock): Ctx {
  return testCtx(db, { clock, config: planConfig(), actor: 'token:admin@acme.example', role: 'admin' });
}

const cadence = async (db: Db) => (await currentPlan(db))?.severities.SEV1?.external_cadence;

eachDialect(
  test,
  'a restart with an unchanged plan file keeps the plan applied through the API',
  async (db) => {
    const clock = new TestClock();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crier-plan-')), 'crier.yaml');
    writeFileSync(file, sev1Plan);

    const first = startCtx(db, clock, file);
    const started = await applyPlanFileAtStart(first.ctx);
    assert.equal(started?.outcome, 'applied');
    const v1 = await getCurrentPlanView(db);
    assert.equal(v1?.version, 1);
    assert.equal(v1?.applied_via, 'file');
    assert.equal(v1?.applied_by, 'plan-file');
    assert.deepEqual(v1?.file, { path: file, sha256: sha256(sev1Plan) });
    assert.match(first.lines.at(-1)?.msg ?? '', /applied the plan file as version 1/);

    // Mid-incident, someone adds to the plan through the API.
    clock.advance(60_000);
    const viaApi = await applyPlan(admin(db, clock), {
      source: sev1Plan.replace('external_cadence: 30m', 'external_cadence: 20m'),
    });
    assert.equal(viaApi.version, 2);
    assert.equal(viaApi.applied_via, 'api');
    assert.equal(viaApi.file, null);

    // The restart: the file has not changed since version 1, so version 2 stays.
    clock.advance(60_000);
    const restart = startCtx(db, clock, file);
    const kept = await applyPlanFileAtStart(restart.ctx);
    assert.equal(kept?.outcome, 'unchanged');
    assert.equal(await cadence(db), '20m');
    assert.deepEqual(
      (await listPlanVersions(db)).map((v) => [v.version, v.applied_via]),
      [
        [2, 'api'],
        [1, 'file'],
      ],
    );
    assert.match(
      restart.lines.at(-1)?.msg ?? '',
      /unchanged since version 1; version 2, applied through the API by token:admin@acme\.example at .* stays in force/,
    );
  },
);

eachDialect(
  test,
  'a plan file changed since it was applied wins at start, naming the API version it replaced',
  async (db) => {
    const clock = new TestClock();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crier-plan-')), 'crier.yaml');
    writeFileSync(file, sev1Plan);
    await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    clock.advance(60_000);
    await applyPlan(admin(db, clock), {
      source: sev1Plan.replace('external_cadence: 30m', 'external_cadence: 20m'),
    });

    const edited = sev1Plan.replace('external_cadence: 2h', 'external_cadence: 90m');
    writeFileSync(file, edited);
    clock.advance(60_000);
    const restart = startCtx(db, clock, file);
    const outcome = await applyPlanFileAtStart(restart.ctx);
    assert.equal(outcome?.outcome, 'applied');
    if (outcome?.outcome !== 'applied') return;
    assert.equal(outcome.applied.version, 3);
    assert.equal(outcome.replaced?.version, 2);
    assert.equal(outcome.replaced?.applied_via, 'api');
    // The later act wins: the file's plan, whole, including the cadence the API had changed.
    assert.equal(await cadence(db), '30m');
    assert.equal((await currentPlan(db))?.severities.SEV3?.external_cadence, '90m');

    const warning = restart.lines.find((l) => l.level === 40);
    assert.match(
      warning?.msg ?? '',
      /the plan file changed: applied it as version 3, replacing version 2, applied through the API by token:admin@acme\.example/,
    );
    assert.equal(warning?.replaced_version, 2);
    assert.equal(warning?.replaced_via, 'api');

    const entries = await listAudit(testCtx(db), {
      page: 1,
      per_page: 10,
      action: 'plan.apply',
      subject_id: '3',
    });
    const entry = entries.items[0];
    assert.equal(entry?.actor, 'plan-file');
    assert.equal(entry?.source, file);
    assert.deepEqual(entry?.before, {
      version: 2,
      applied_via: 'api',
      applied_by: 'token:admin@acme.example',
    });
    const after = entry?.after as { applied_via: string; file: unknown; note: string; changes: string[] };
    assert.equal(after.applied_via, 'file');
    assert.deepEqual(after.file, { path: file, sha256: sha256(edited) });
    assert.match(
      after.note,
      /changed since version 1; applied at start, replacing version 2, applied through the API by token:admin@acme\.example/,
    );
    assert.deepEqual(after.changes.sort(), [
      'changed severities.SEV1.external_cadence',
      'changed severities.SEV3.external_cadence',
    ]);

    // And another restart with that file changes nothing.
    const again = await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    assert.equal(again?.outcome, 'unchanged');
    assert.equal((await listPlanVersions(db)).length, 3);
  },
);

eachDialect(
  test,
  'a changed file that holds the plan in force is recorded on that version, so a later API apply survives',
  async (db) => {
    const clock = new TestClock();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crier-plan-')), 'crier.yaml');
    writeFileSync(file, sev1Plan);
    await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    // The usual edit: change crier.yaml, then `crier plan apply crier.yaml` (through the API).
    const edited = sev1Plan.replace('external_cadence: 30m', 'external_cadence: 25m');
    writeFileSync(file, edited);
    clock.advance(60_000);
    await applyPlan(admin(db, clock), { source: edited });

    const restart = startCtx(db, clock, file);
    const matched = await applyPlanFileAtStart(restart.ctx);
    assert.equal(matched?.outcome, 'matched');
    const view = await getCurrentPlanView(db);
    assert.equal(view?.version, 2);
    assert.equal(view?.applied_via, 'api');
    assert.equal(view?.applied_by, 'token:admin@acme.example');
    assert.deepEqual(view?.file, { path: file, sha256: sha256(edited) });
    assert.match(
      restart.lines.at(-1)?.msg ?? '',
      /holds the plan in force \(version 2, applied through the API/,
    );

    clock.advance(60_000);
    await applyPlan(admin(db, clock), {
      source: edited.replace('external_cadence: 25m', 'external_cadence: 15m'),
    });
    const kept = await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    assert.equal(kept?.outcome, 'unchanged');
    assert.equal(await cadence(db), '15m');
    assert.deepEqual(
      (await listPlanVersions(db)).map((v) => v.version),
      [3, 2, 1],
    );
  },
);

eachDialect(
  test,
  'a changed plan file that fails the check stops the start and changes nothing',
  async (db) => {
    const clock = new TestClock();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crier-plan-')), 'crier.yaml');
    writeFileSync(file, sev1Plan);
    await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    writeFileSync(file, sev1Plan.replace('approval: comms_lead', 'approval: ceo'));
    await assert.rejects(applyPlanFileAtStart(startCtx(db, clock, file).ctx), (err: Error) => {
      assert.equal(err.name, 'PlanError');
      assert.match(err.message, /severities\.SEV1\.approval/);
      return true;
    });
    assert.deepEqual(
      (await listPlanVersions(db)).map((v) => v.version),
      [1],
    );
    assert.equal(
      await applyPlanFileAtStart(startCtx(db, clock, path.join(path.dirname(file), 'none.yaml')).ctx),
      null,
    );
  },
);

eachDialect(
  test,
  'a stored plan version that asks for what is not supported yet still loads, with a warning at start',
  async (db) => {
    const clock = new TestClock();
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crier-plan-')), 'crier.yaml');
    writeFileSync(file, sev1Plan);
    await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    const quiet = startCtx(db, clock, file);
    assert.equal(await warnOfUnsupportedInForce(quiet.ctx), 0);
    assert.deepEqual(quiet.lines, []);

    // A version stored by an earlier Crier, which accepted this channel and did nothing with it.
    const stored = await db.selectFrom('plan_versions').selectAll().executeTakeFirstOrThrow();
    const plan = JSON.parse(stored.plan) as { audiences: Record<string, { channels: string[] }> };
    plan.audiences.internal?.channels.push('feed');
    const { version: _version, ...row } = stored;
    await db
      .insertInto('plan_versions')
      .values({ ...row, applied_via: 'api', plan: JSON.stringify(plan), hash: sha256(JSON.stringify(plan)) })
      .execute();

    const kept = await applyPlanFileAtStart(startCtx(db, clock, file).ctx);
    assert.equal(kept?.outcome, 'unchanged');
    assert.ok(await currentPlan(db), 'it still loads');
    const start = startCtx(db, clock, file);
    assert.equal(await warnOfUnsupportedInForce(start.ctx), 1);
    assert.deepEqual(
      start.lines.map((l) => [l.level, l.path, l.version]),
      [[40, 'audiences.internal.channels.1', 2]],
    );
    assert.match(
      start.lines[0]?.msg ?? '',
      /plan version 2: audiences\.internal\.channels\.1: a status page or feed of its own for an audience other than public is not supported yet/,
    );
  },
);
