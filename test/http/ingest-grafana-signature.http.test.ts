/**
 * Grafana Alerting's optional HMAC, computed here as Grafana's webhook
 * contact point documents it (hex HMAC-SHA256 of the body, or of
 * `<timestamp>:<body>` with the timestamp header): with
 * CRIER_INGEST_GRAFANA_SECRETS set, a request signed under one of the
 * secrets (either, during a rotation) is taken; unsigned, wrongly signed,
 * signed over another body, or stale is refused with 401 and stores
 * nothing. Without secrets, Grafana requests need only their key.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { countRows, fixture, ingestKey, post } from '../helpers/ingest.ts';

const secret = 'grafana-hmac-current';
const clock = new TestClock('2026-12-04T10:00:00.000Z');
const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

let t: TestApp;
let open: TestApp;
before(async () => {
  t = await startTestApp(dialect, {
    clock,
    env: { CRIER_INGEST_GRAFANA_SECRETS: `grafana-hmac-previous, ${secret}` },
  });
  open = await startTestApp(dialect, { clock });
});
after(async () => {
  await t.close();
  await open.close();
});

const hmac = (text: string, key = secret) => createHmac('sha256', key).update(text).digest('hex');
const json = { 'content-type': 'application/json' };

test('Grafana: signed requests are taken, with or without a timestamp; anything else changes nothing', async () => {
  const { path } = await ingestKey(t, 'grafana');
  const body = fixture('grafana-firing.json');
  const now = String(Math.floor(clock.now().getTime() / 1000));
  const stale = String(Math.floor(clock.now().getTime() / 1000) - 6 * 60);

  const refused: [string, Record<string, string>][] = [
    ['unsigned', json],
    ['wrong secret', { ...json, 'x-grafana-alerting-signature': hmac(body, 'not-the-secret') }],
    ['another body', { ...json, 'x-grafana-alerting-signature': hmac(body.replace('us-1', 'us-2')) }],
    [
      'timestamp not signed',
      { ...json, 'x-grafana-alerting-signature': hmac(body), 'x-grafana-alerting-timestamp': now },
    ],
    [
      'stale',
      {
        ...json,
        'x-grafana-alerting-signature': hmac(`${stale}:${body}`),
        'x-grafana-alerting-timestamp': stale,
      },
    ],
  ];
  for (const [why, headers] of refused) {
    const res = await post(t, path, body, headers);
    assert.equal(res.statusCode, 401, `${why}: ${res.body}`);
    assert.equal(res.json().error.code, 'signature_invalid', why);
  }
  assert.equal(await countRows(t, 'alerts'), 0, 'no refused request stored an alert');
  assert.equal(await countRows(t, 'ingest_payloads'), 0, 'nor a payload');

  // Signed over the body alone, under the secret being rotated out.
  const plain = await post(t, path, body, {
    ...json,
    'x-grafana-alerting-signature': hmac(body, 'grafana-hmac-previous'),
  });
  assert.equal(plain.statusCode, 200, plain.body);
  assert.equal(plain.json().new, 2);

  // Signed over the timestamp and the body.
  const resolved = body.replaceAll('"firing"', '"resolved"');
  const stamped = await post(t, path, resolved, {
    ...json,
    'x-grafana-alerting-signature': hmac(`${now}:${resolved}`),
    'x-grafana-alerting-timestamp': now,
  });
  assert.equal(stamped.statusCode, 200, stamped.body);
  assert.equal(stamped.json().resolved, 2);
});

test('Grafana without secrets configured: the key alone is enough', async () => {
  const { path } = await ingestKey(open, 'grafana');
  const res = await post(open, path, fixture('grafana-firing.json'));
  assert.equal(res.statusCode, 200, res.body);
});
