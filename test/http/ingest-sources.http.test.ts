/**
 * Each source's documented example payload, through the real route: Grafana
 * Alerting's webhook, PagerDuty v3 (signature good, rotated, bad, missing:
 * an unsigned or wrongly signed request stores nothing), and generic JSON
 * read through the plan's mapping.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { countRows, fixture, ingestKey, post } from '../helpers/ingest.ts';

const secret = 'pd-webhook-secret-current';
const minimalPlan =
  'page: { name: Acme, time_zone: UTC }\nseverities: { SEV1: { approval: none, external_cadence: 30m, audiences: [public] } }\naudiences: { public: { channels: [status-page] } }\n';
let t: TestApp;
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    env: { CRIER_INGEST_PAGERDUTY_SECRETS: `pd-webhook-secret-previous,${secret}` },
  });
});
after(async () => t.close());

async function alert(fingerprint: string) {
  return t.app.db.selectFrom('alerts').selectAll().where('fingerprint', '=', fingerprint).executeTakeFirst();
}

test('Grafana Alerting: both alerts of the documented payload, linked to their dashboard where there is one', async () => {
  const { path } = await ingestKey(t, 'grafana');
  const res = await post(t, path, fixture('grafana-firing.json'));
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), { status: 'accepted', alerts: 2, new: 2, repeated: 0, resolved: 0 });
  const memory = await alert('c6eadffa33fcdf37');
  assert.equal(memory?.source, 'grafana');
  assert.equal(memory?.title, 'This alert was triggered for zone us-1');
  assert.equal(memory?.starts_at, '2021-10-12T07:51:03.157Z');
  assert.equal(memory?.link, 'https://play.grafana.org/alerting/1afz29v7z/edit');
  assert.equal((await alert('bc97ff14869b13e3'))?.link, 'https://play.grafana.org/d/abc123');
});

const sign = (body: string, key = secret) => `v1=${createHmac('sha256', key).update(body).digest('hex')}`;

test('PagerDuty v3: a signed incident.triggered fires, incident.resolved resolves, other events store no alert', async () => {
  const { path } = await ingestKey(t, 'pagerduty');
  const triggered = fixture('pagerduty-triggered.json');
  // During a secret rotation PagerDuty signs with each secret; one match is enough.
  const res = await post(t, path, triggered, {
    'content-type': 'application/json',
    'x-pagerduty-signature': `${sign(triggered, 'some-other-secret')},${sign(triggered)}`,
  });
  assert.equal(res.statusCode, 200, res.body);
  const fired = await alert('PGR0VU2');
  assert.equal(fired?.status, 'firing');
  assert.equal(fired?.title, 'A little bump in the road');
  assert.equal(fired?.severity, 'P1');
  assert.equal(fired?.link, 'https://acme.pagerduty.com/incidents/PGR0VU2');
  assert.deepEqual(JSON.parse(fired?.labels ?? '{}'), {
    service: 'API Service',
    urgency: 'high',
    priority: 'P1',
    status: 'triggered',
  });

  const resolved = fixture('pagerduty-resolved.json');
  const closing = await post(t, path, resolved, {
    'content-type': 'application/json',
    'x-pagerduty-signature': sign(resolved),
  });
  assert.equal(closing.json().resolved, 1);
  assert.equal((await alert('PGR0VU2'))?.status, 'resolved');
  assert.equal((await alert('PGR0VU2'))?.ends_at, '2020-04-09T16:02:11.000Z');

  const serviceEvent = JSON.stringify({
    event: {
      id: '01BRB6',
      event_type: 'service.updated',
      resource_type: 'service',
      occurred_at: '2021-03-02T13:35:11.682Z',
      agent: null,
      client: null,
      data: { id: 'PF9KMXH', type: 'service' },
    },
  });
  const other = await post(t, path, serviceEvent, {
    'content-type': 'application/json',
    'x-pagerduty-signature': sign(serviceEvent),
  });
  assert.equal(other.statusCode, 200);
  assert.equal(other.json().alerts, 0);
});

test('PagerDuty v3: a missing, wrong or other-body signature is refused with 401 and stores nothing', async () => {
  const { path } = await ingestKey(t, 'pagerduty');
  const body = fixture('pagerduty-triggered.json').replace('PGR0VU2', 'PNEW001');
  const alertsBefore = await countRows(t, 'alerts');
  const payloadsBefore = await countRows(t, 'ingest_payloads');
  for (const signature of [
    undefined,
    '',
    'v1=',
    sign(body, 'wrong-secret'),
    sign(fixture('pagerduty-triggered.json')),
    sign(body).replace('v1=', 'v0='),
    `${sign(body)}0`,
  ]) {
    const res = await post(t, path, body, {
      'content-type': 'application/json',
      ...(signature !== undefined && { 'x-pagerduty-signature': signature }),
    });
    assert.equal(res.statusCode, 401, `${signature}: ${res.body}`);
    assert.equal(res.json().error.code, 'signature_invalid');
  }
  assert.equal(await countRows(t, 'alerts'), alertsBefore);
  assert.equal(await countRows(t, 'ingest_payloads'), payloadsBefore);
  assert.equal(await alert('PNEW001'), undefined);
});

test('generic JSON is read through the plan’s mapping, one alert or a list; without a mapping it is refused', async () => {
  const { path } = await ingestKey(t, 'generic');
  const one = JSON.stringify({
    check: {
      id: 'chk-42',
      name: 'Checkout latency high',
      state: 'alerting',
      priority: 'high',
      url: 'https://mon.example.com/chk/42',
      tags: { service: 'checkout', region: 'eu' },
    },
  });
  const refused = await post(t, path, one);
  assert.equal(refused.statusCode, 400);
  assert.match(refused.json().error.message, /ingest\.generic/);

  const plan = `${minimalPlan}ingest:
  generic:
    title: check.name
    status: check.state
    fingerprint: check.id
    labels: check.tags
    severity: check.priority
    link: check.url
`;
  const applied = await t.app.server.inject({
    method: 'PUT',
    url: '/api/v1/plan',
    headers: t.auth('admin'),
    payload: { source: plan },
  });
  assert.equal(applied.statusCode, 200, applied.body);
  const res = await post(t, path, one);
  assert.equal(res.statusCode, 200, res.body);
  const fired = await alert('chk-42');
  assert.equal(fired?.status, 'firing');
  assert.equal(fired?.title, 'Checkout latency high');
  assert.equal(fired?.severity, 'high');
  assert.equal(fired?.link, 'https://mon.example.com/chk/42');
  assert.deepEqual(JSON.parse(fired?.labels ?? '{}'), { service: 'checkout', region: 'eu' });
  const ok = await post(t, path, one.replace('"alerting"', '"OK"'));
  assert.equal(ok.json().resolved, 1);
  assert.equal((await alert('chk-42'))?.status, 'resolved');

  const missingTitle = await post(t, path, JSON.stringify({ check: { id: 'x' } }));
  assert.equal(missingTitle.statusCode, 400);
  assert.equal(missingTitle.json().error.code, 'validation_failed');
  const nested = await post(t, path, JSON.stringify({ check: { name: { html: '<b>' } } }));
  assert.equal(nested.statusCode, 400);

  const listPlan = `${minimalPlan}ingest:\n  generic:\n    alerts: items\n    title: summary\n    labels: labels\n`;
  await t.app.server.inject({
    method: 'PUT',
    url: '/api/v1/plan',
    headers: t.auth('admin'),
    payload: { source: listPlan },
  });
  const list = JSON.stringify({
    items: [
      { summary: 'Disk full', labels: { host: 'a' } },
      { summary: 'Disk full', labels: { host: 'b' } },
    ],
  });
  assert.deepEqual((await post(t, path, list)).json(), {
    status: 'accepted',
    alerts: 2,
    new: 2,
    repeated: 0,
    resolved: 0,
  });
  // Without a fingerprint path, the title and labels recognise the same alert sent again.
  assert.deepEqual((await post(t, path, list)).json(), {
    status: 'accepted',
    alerts: 2,
    new: 0,
    repeated: 2,
    resolved: 0,
  });
});
