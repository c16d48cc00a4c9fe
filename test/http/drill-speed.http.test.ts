/**
 * A drill's speed divides every duration of the plan for it, and nothing
 * else: at --speed 60 the SEV1 first notice falls due 15 seconds after
 * detection instead of 15 minutes, its reminders come 5 seconds before, the
 * internal update is due after 15 seconds, and a SEV2 draft is published
 * unapproved after 10 seconds; a real incident keeps the plan's times.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { planSecrets, sev1PlanPath } from '../helpers/plan.ts';

const clock = new TestClock('2026-01-15T10:00:00.000Z');
let t: TestApp;
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    clock,
    env: { CRIER_PLAN: sev1PlanPath, ...planSecrets },
  });
});
after(async () => t.close());

async function start(payload: object) {
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/drills',
    headers: t.auth('incident_lead'),
    payload,
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> & { id: string } };
}

async function jobs(incidentId: string, kind: 'cadence.reminder' | 'approval.timeout') {
  const rows = await t.app.db
    .selectFrom('outbox_jobs')
    .select(['run_at', 'payload'])
    .where('kind', '=', kind)
    .orderBy('run_at')
    .execute();
  return rows.filter((r) => r.payload.includes(incidentId)).map((r) => r.run_at);
}

test('at speed 60 the plan’s cadence, reminders and first-notice target run sixty times faster', async () => {
  const { status, body } = await start({ scenario: 'database-degraded', speed: 60 });
  assert.equal(status, 201, JSON.stringify(body));
  assert.equal(body.drill, true);
  assert.equal(body.drill_speed, 60);
  assert.equal(body.next_update_due_at, '2026-01-15T10:00:15.000Z', '15m / 60 after detection');
  assert.equal(body.next_internal_update_due_at, '2026-01-15T10:00:15.000Z', '15m / 60');
  assert.deepEqual(
    [...new Set(await jobs(body.id, 'cadence.reminder'))],
    ['2026-01-15T10:00:10.000Z', '2026-01-15T10:00:15.000Z', '2026-01-15T10:00:20.000Z'],
    'before (5m / 60), at, and overdue (5m / 60 after)',
  );
});

test('at speed 60 a SEV2 draft waits 10 seconds for approval, not 10 minutes', async () => {
  const { status, body } = await start({ scenario: 'slow-reports', speed: 60 });
  assert.equal(status, 201, JSON.stringify(body));
  assert.deepEqual(await jobs(body.id, 'approval.timeout'), ['2026-01-15T10:00:10.000Z']);
});

test('a real incident keeps the plan’s own times', async () => {
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/incidents',
    headers: t.auth('incident_lead'),
    payload: { name: 'Saving fails', scenario: 'database-degraded' },
  });
  const body = JSON.parse(res.body) as { next_update_due_at: string; drill_speed: number };
  assert.equal(body.drill_speed, 1);
  assert.equal(body.next_update_due_at, '2026-01-15T10:15:00.000Z');
});

test('a drill needs a scenario of the plan and a speed from 1 to 1000; a viewer may not start one', async () => {
  for (const [payload, path] of [
    [{ scenario: 'no-such-thing' }, 'scenario'],
    [{ scenario: 'slow-reports', speed: 0 }, 'speed'],
    [{ scenario: 'slow-reports', speed: 1001 }, 'speed'],
    [{ scenario: 'slow-reports', speed: 2.5 }, 'speed'],
    [{ scenario: 'slow-reports', severity: 'SEV9' }, 'severity'],
    [{ scenario: 'slow-reports', colour: 'red' }, 'colour'],
  ] as const) {
    const { status, body } = await start(payload);
    assert.equal(status, 400, JSON.stringify(payload));
    assert.match(JSON.stringify(body), new RegExp(path), JSON.stringify(body));
  }
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/drills',
    headers: t.auth('viewer'),
    payload: { scenario: 'slow-reports' },
  });
  assert.equal(res.statusCode, 403);
});
