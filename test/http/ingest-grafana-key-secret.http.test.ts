/**
 * Grafana HMAC secrets per ingest key: a key made with `hmac_secret:
 * env:NAME` (the admin API, or `crier ingest key create --source grafana
 * --hmac-secret env:NAME`) takes only requests signed under that variable's
 * secret, as Grafana's webhook contact point signs them; another key keeps
 * its own rule (its own secret, the install-wide CRIER_INGEST_GRAFANA_SECRETS,
 * or none). The reference is what is stored and shown; the secret's value
 * appears in no API answer and no log line.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import pino from 'pino';
import { buildProgram } from '../../src/cli/program.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { countRows, fixture, post } from '../helpers/ingest.ts';

const clock = new TestClock('2026-12-04T10:00:00.000Z');
const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };
const secrets = {
  GRAFANA_TEAM_A: 'team-a-hmac-value-1',
  GRAFANA_TEAM_B: 'team-b-hmac-value-2',
  CRIER_INGEST_GRAFANA_SECRETS: 'install-hmac-value-3',
};
const logged: string[] = [];

let t: TestApp;
let open: TestApp;
before(async () => {
  const log = pino(
    { level: 'debug' },
    new Writable({
      write(chunk, _encoding, done) {
        logged.push(String(chunk));
        done();
      },
    }),
  );
  t = await startTestApp(dialect, { clock, env: secrets, log });
  open = await startTestApp(dialect, { clock, env: { GRAFANA_TEAM_A: secrets.GRAFANA_TEAM_A } });
});
after(async () => {
  await t.close();
  await open.close();
});

const hmac = (text: string, key: string) => createHmac('sha256', key).update(text).digest('hex');
const signedWith = (body: string, key: string) => ({
  'content-type': 'application/json',
  'x-grafana-alerting-signature': hmac(body, key),
});

async function createKey(app: TestApp, payload: object) {
  return app.app.server.inject({
    method: 'POST',
    url: '/api/v1/ingest-keys',
    headers: app.auth('admin'),
    payload,
  });
}

test('a Grafana key with its own HMAC secret takes only that secret; other keys keep their own rule', async () => {
  const body = fixture('grafana-firing.json');

  // Refused at creation, nothing made: another source, a variable not set, a value instead of a reference.
  for (const [why, payload] of [
    ['not Grafana', { source: 'alertmanager', hmac_secret: 'env:GRAFANA_TEAM_A' }],
    ['not set', { source: 'grafana', hmac_secret: 'env:GRAFANA_NOBODY' }],
    ['a value', { source: 'grafana', hmac_secret: secrets.GRAFANA_TEAM_A }],
  ] as const) {
    const res = await createKey(t, payload);
    assert.equal(res.statusCode, 400, `${why}: ${res.body}`);
    assert.equal(res.json().error.code, 'validation_failed', why);
  }
  const listed = async () =>
    (
      await t.app.server.inject({ method: 'GET', url: '/api/v1/ingest-keys', headers: t.auth('admin') })
    ).json() as { id: string; hmac_secret: string | null }[];
  assert.deepEqual(await listed(), []);

  // Team A's key from the CLI, team B's and a plain one through the API.
  Object.assign(process.env, { CRIER_URL: await t.app.listen(), CRIER_TOKEN: t.tokens.admin });
  const write = process.stdout.write;
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await buildProgram().parseAsync([
      'node',
      'crier',
      'ingest',
      'key',
      'create',
      '--source',
      'grafana',
      '--hmac-secret',
      'env:GRAFANA_TEAM_A',
      '--json',
    ]);
  } finally {
    process.stdout.write = write;
  }
  const a = JSON.parse(printed) as { path: string; hmac_secret: string };
  assert.equal(a.hmac_secret, 'env:GRAFANA_TEAM_A');
  const bRes = await createKey(t, { source: 'grafana', name: 'team b', hmac_secret: 'env:GRAFANA_TEAM_B' });
  assert.equal(bRes.statusCode, 201, bRes.body);
  const b = bRes.json() as { path: string; hmac_secret: string };
  const plainRes = await createKey(t, { source: 'grafana', name: 'install-wide' });
  const plain = plainRes.json() as { path: string; hmac_secret: string | null };
  assert.equal(plain.hmac_secret, null);

  // Team A's key: refused unsigned, under B's secret, under the install's; nothing stored.
  for (const [why, headers] of [
    ['unsigned', { 'content-type': 'application/json' }],
    ["team B's secret", signedWith(body, secrets.GRAFANA_TEAM_B)],
    ["the install's secret", signedWith(body, secrets.CRIER_INGEST_GRAFANA_SECRETS)],
  ] as const) {
    const res = await post(t, a.path, body, headers);
    assert.equal(res.statusCode, 401, `${why}: ${res.body}`);
    assert.equal(res.json().error.code, 'signature_invalid', why);
  }
  assert.equal(await countRows(t, 'alerts'), 0, 'no refused request stored an alert');
  assert.equal(await countRows(t, 'ingest_payloads'), 0, 'nor a payload');
  assert.equal((await post(t, a.path, body, signedWith(body, secrets.GRAFANA_TEAM_A))).statusCode, 200);

  // Team B's key takes B's secret and refuses A's; the plain key keeps the install-wide secret.
  assert.equal((await post(t, b.path, body, signedWith(body, secrets.GRAFANA_TEAM_A))).statusCode, 401);
  assert.equal((await post(t, b.path, body, signedWith(body, secrets.GRAFANA_TEAM_B))).statusCode, 200);
  assert.equal((await post(t, plain.path, body, signedWith(body, secrets.GRAFANA_TEAM_A))).statusCode, 401);
  const install = await post(t, plain.path, body, signedWith(body, secrets.CRIER_INGEST_GRAFANA_SECRETS));
  assert.equal(install.statusCode, 200, install.body);

  // The references are shown, the values nowhere: not in answers, not in the logs.
  const keys = await listed();
  assert.deepEqual(keys.map((k) => k.hmac_secret).sort(), ['env:GRAFANA_TEAM_A', 'env:GRAFANA_TEAM_B', null]);
  const answers = [printed, bRes.body, plainRes.body, JSON.stringify(keys)].join('\n');
  const audit = await t.app.server.inject({ method: 'GET', url: '/api/v1/audit', headers: t.auth('admin') });
  for (const value of Object.values(secrets)) {
    assert.ok(!answers.includes(value), 'no API answer holds a secret');
    assert.ok(!audit.body.includes(value), 'no audit entry holds a secret');
    assert.ok(!logged.join('').includes(value), 'no log line holds a secret');
  }
  assert.ok(logged.join('').includes('bad signature'), 'the refusals were logged');
});

test('without an install-wide secret, a key with its own still refuses unsigned requests; a plain key is unaffected', async () => {
  const body = fixture('grafana-firing.json');
  const own = (await createKey(open, { source: 'grafana', hmac_secret: 'env:GRAFANA_TEAM_A' })).json() as {
    path: string;
  };
  const plain = (await createKey(open, { source: 'grafana' })).json() as { path: string };
  const unsigned = await post(open, own.path, body);
  assert.equal(unsigned.statusCode, 401, unsigned.body);
  assert.equal((await post(open, own.path, body, signedWith(body, 'a-guess'))).statusCode, 401);
  assert.equal(await countRows(open, 'alerts'), 0);
  assert.equal((await post(open, plain.path, body)).statusCode, 200, 'the plain key needs no signature');
  const signed = await post(open, own.path, body, signedWith(body, secrets.GRAFANA_TEAM_A));
  assert.equal(signed.statusCode, 200, signed.body);
});
