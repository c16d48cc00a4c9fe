/**
 * A drill's report through the real path: a SEV1 drill at speed 60 whose
 * first notice the comms lead approves 6 seconds in is scored 6 minutes of
 * plan time against the 15-minute target, and the trend across drills
 * lists it.
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

async function call(
  method: 'GET' | 'POST',
  url: string,
  role: Parameters<TestApp['auth']>[0],
  payload?: object,
) {
  const res = await t.app.server.inject({
    method,
    url: `/api/v1${url}`,
    headers: t.auth(role),
    ...(payload && { payload }),
  });
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> & { id: string } };
}

test('a drill at speed 60 is reported in plan time against the plan’s targets', async () => {
  const started = await call('POST', '/drills', 'incident_lead', {
    scenario: 'database-degraded',
    speed: 60,
  });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const id = started.body.id;
  const first = (started.body.incident_updates as { id: string; state?: string }[])[0];
  assert.ok(first);

  clock.advance(6_000);
  const approved = await call('POST', `/incidents/${id}/updates/${first.id}/approve`, 'comms_lead', {});
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  clock.advance(30_000);

  const report = await call('GET', `/drills/${id}/report`, 'viewer');
  assert.equal(report.status, 200, JSON.stringify(report.body));
  const scores = report.body.scores as Record<string, unknown>;
  assert.equal(scores.speed, 60);
  assert.deepEqual(scores.first_external, {
    from: 'declared',
    took_ms: 360_000,
    target_ms: 900_000,
    met: true,
  });
  assert.deepEqual(scores.approval, {
    updates: 1,
    max_wait_ms: 360_000,
    total_wait_ms: 360_000,
    published_unapproved: 0,
  });
  assert.deepEqual(scores.cadence, [
    { audience: 'enterprise', updates_due: 0, updates_on_time: 0, ratio: null },
    { audience: 'public', updates_due: 1, updates_on_time: 1, ratio: 1 },
  ]);
  assert.equal(scores.longest_silence_ms, 30 * 60_000, '30 seconds of silence since, at speed 60');
  assert.equal(report.body.plan_version, 1);

  const same = await call('GET', `/incidents/${id}/scores`, 'support_lead');
  assert.deepEqual(same.body, report.body);
  const trend = await t.app.server.inject({
    url: '/api/v1/drills/scores?limit=5',
    headers: t.auth('viewer'),
  });
  assert.equal(trend.statusCode, 200);
  assert.deepEqual(
    (JSON.parse(trend.body) as { incident_id: string }[]).map((r) => r.incident_id),
    [id],
  );
});

test('the review answers JSON, Markdown and each chart as SVG; bad asks are 4xx', async () => {
  const started = await call('POST', '/drills', 'incident_lead', { scenario: 'slow-reports', speed: 10 });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const id = started.body.id;
  const json = await call('GET', `/incidents/${id}/review`, 'viewer');
  assert.equal(json.status, 200, JSON.stringify(json.body));
  assert.deepEqual(
    (json.body.charts as { id: string }[]).map((c) => c.id),
    ['deliveries', 'cadence'],
  );
  assert.equal((json.body.messages as unknown[]).length, 1, 'the first words, waiting for approval');

  for (const ask of [{ url: `?format=md` }, { url: '', accept: 'text/markdown' }]) {
    const md = await t.app.server.inject({
      url: `/api/v1/incidents/${id}/review${ask.url}`,
      headers: { ...t.auth('viewer'), ...(ask.accept && { accept: ask.accept }) },
    });
    assert.equal(md.statusCode, 200);
    assert.match(String(md.headers['content-type']), /^text\/markdown/);
    assert.match(md.body, /^# Communication review: slow-reports$/m);
    assert.match(md.body, /## Scores/);
  }
  for (const chart of ['deliveries', 'cadence']) {
    const svg = await t.app.server.inject({
      url: `/api/v1/incidents/${id}/review/charts/${chart}.svg`,
      headers: t.auth('viewer'),
    });
    assert.equal(svg.statusCode, 200);
    assert.match(String(svg.headers['content-type']), /^image\/svg\+xml/);
    assert.match(svg.body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  }
  for (const url of [`/incidents/${id}/review?format=pdf`, `/incidents/${id}/review/charts/other.svg`]) {
    const res = await call('GET', url, 'viewer');
    assert.equal(res.status, 400, url);
  }
  assert.equal((await call('GET', '/incidents/nope/review', 'viewer')).status, 404);
});

test('the report, the plan version’s incidents and the suggestions answer over HTTP, with their permissions', async () => {
  const report = await call('GET', '/reports/communication?from=2026-01-01T00:00:00Z', 'viewer');
  assert.equal(report.status, 200, JSON.stringify(report.body));
  assert.equal(report.body.incidents, 0, 'drills are left out of the trends');
  assert.equal((await call('GET', '/reports/communication?from=2027-01-01T00:00:00Z', 'viewer')).status, 400);
  assert.equal((await call('GET', '/reports/communication?from=soon', 'viewer')).status, 400);

  const under = await t.app.server.inject({
    url: '/api/v1/plan/versions/1/incidents',
    headers: t.auth('viewer'),
  });
  assert.equal(under.statusCode, 200);
  assert.ok((JSON.parse(under.body) as { drill: boolean }[]).every((i) => i.drill));
  assert.equal((await call('GET', '/plan/versions/9/incidents', 'viewer')).status, 404);

  assert.equal((await call('GET', '/plan/suggestions', 'incident_lead')).status, 403);
  const suggestions = await t.app.server.inject({
    url: '/api/v1/plan/suggestions',
    headers: t.auth('admin'),
  });
  assert.equal(suggestions.statusCode, 200);
  assert.deepEqual(JSON.parse(suggestions.body), []);
});

test('an unknown drill is 404 incident_not_found; a bad trend query is 400', async () => {
  const missing = await call('GET', '/drills/no-such-drill/report', 'viewer');
  assert.equal(missing.status, 404);
  assert.equal((missing.body.error as { code: string }).code, 'incident_not_found');
  for (const q of ['limit=0', 'limit=abc', 'colour=red']) {
    const res = await t.app.server.inject({ url: `/api/v1/drills/scores?${q}`, headers: t.auth('viewer') });
    assert.equal(res.statusCode, 400, q);
  }
});
