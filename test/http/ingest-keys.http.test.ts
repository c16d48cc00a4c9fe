/**
 * Alert ingest, its keys and Alertmanager's webhook: keys made and revoked
 * through the API and the CLI, never stored or logged; a bad key refused
 * without saying why; the documented payload parsed, repeated deliveries
 * deduplicated by fingerprint, a resolved alert closing its row; a payload
 * that does not parse answered 400, kept for inspection, changing no alert.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { buildProgram } from '../../src/cli/program.ts';
import { createLogger } from '../../src/logger.ts';
import { dialects, TestClock, testConfig } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { countRows, fixture, ingestKey, post } from '../helpers/ingest.ts';

async function alerts(t: TestApp, query = '') {
  const res = await t.app.server.inject({
    method: 'GET',
    url: `/api/v1/alerts${query}`,
    headers: t.auth('viewer'),
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as {
    fingerprint: string;
    status: string;
    title: string;
    received_count: number;
    ends_at: string | null;
    severity: string | null;
    link: string | null;
    labels: Record<string, string>;
    starts_at: string | null;
  }[];
}

for (const dialect of dialects) {
  test(`Alertmanager's grouped alerts are stored once per fingerprint; resolved closes one [${dialect.name}]`, async () => {
    const clock = new TestClock('2026-12-04T10:00:00.000Z');
    const t = await startTestApp(dialect, { clock });
    try {
      const { path } = await ingestKey(t, 'alertmanager');
      const first = await post(t, path, fixture('alertmanager-firing.json'));
      assert.equal(first.statusCode, 200, first.body);
      assert.deepEqual(first.json(), { status: 'accepted', alerts: 2, new: 2, repeated: 0, resolved: 0 });
      clock.advance(60_000);
      // Alertmanager repeats a group's notification (repeat_interval): the same alerts, not new ones.
      const again = await post(t, path, fixture('alertmanager-firing.json'));
      assert.deepEqual(again.json(), { status: 'accepted', alerts: 2, new: 0, repeated: 2, resolved: 0 });
      const firing = await alerts(t);
      assert.equal(firing.length, 2);
      const primary = firing.find((a) => a.fingerprint === '5e4d6c1a2b3f4e5d');
      assert.ok(primary);
      assert.equal(primary.title, 'PostgreSQL primary is down');
      assert.equal(primary.severity, 'critical');
      assert.equal(primary.labels.team, 'db');
      assert.equal(primary.starts_at, '2026-12-04T09:58:30.123Z');
      assert.equal(primary.ends_at, null, "Go's zero time is no end");
      assert.equal(primary.received_count, 2);
      assert.match(primary.link ?? '', /^http:\/\/prometheus\.example\.com:9090\/graph/);

      clock.advance(60_000);
      const resolved = await post(t, path, fixture('alertmanager-resolved.json'));
      assert.deepEqual(resolved.json(), { status: 'accepted', alerts: 1, new: 0, repeated: 0, resolved: 1 });
      const after = await alerts(t, '?status=resolved');
      assert.deepEqual(
        after.map((a) => [a.fingerprint, a.ends_at]),
        [['5e4d6c1a2b3f4e5d', '2026-12-04T10:12:30.000Z']],
      );
      assert.equal((await alerts(t, '?status=firing')).length, 1);
      assert.equal(await countRows(t, 'ingest_payloads'), 3, 'every payload is kept');
      const audit = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/audit?subject_type=alert',
        headers: t.auth('admin'),
      });
      assert.deepEqual(
        (audit.json() as { action: string }[]).map((e) => e.action).sort(),
        ['alert.fire', 'alert.fire', 'alert.resolve'],
        'new and resolved alerts are audited, repeats are not',
      );
    } finally {
      await t.close();
    }
  });
}

test('a bad, revoked or other-source key is refused alike, stores nothing, and guessing is cut off', async () => {
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
  try {
    const am = await ingestKey(t, 'alertmanager');
    const body = fixture('alertmanager-firing.json');
    const key = am.path.split('/').at(-1) ?? '';
    for (const path of [
      '/ingest/alertmanager/crier_in_not-a-real-key-at-all-000000',
      `/ingest/grafana/${key}`,
      `/ingest/nagios/${key}`,
    ]) {
      const res = await post(t, path, body);
      assert.equal(res.statusCode, 401, `${path}: ${res.body}`);
      assert.equal(res.json().error.code, 'unauthenticated');
      assert.equal(res.json().error.message, 'The ingest key is unknown or revoked.');
    }
    const revoke = await t.app.server.inject({
      method: 'DELETE',
      url: `/api/v1/ingest-keys/${am.id}`,
      headers: t.auth('admin'),
    });
    assert.equal(revoke.statusCode, 200);
    assert.ok(revoke.json().revoked_at);
    const refused = await post(t, am.path, body);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.message, 'The ingest key is unknown or revoked.');
    assert.equal(await countRows(t, 'alerts'), 0);
    assert.equal(await countRows(t, 'ingest_payloads'), 0);
    // The address has now used up its failures: even a good key waits.
    for (let i = 0; i < 30; i++) await post(t, '/ingest/alertmanager/crier_in_guess-guess-guess-guess', body);
    const fresh = await ingestKey(t, 'alertmanager');
    const limited = await post(t, fresh.path, body);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error.code, 'rate_limited');

    const stored = await t.app.db.selectFrom('ingest_keys').selectAll().execute();
    assert.ok(
      stored.every((row) => !row.hash.includes(key) && row.hash !== key && row.prefix.startsWith('sha256:')),
    );
  } finally {
    await t.close();
  }
});

test('a payload that does not parse is answered 400, kept for inspection, and changes no alert', async () => {
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
  try {
    const { path } = await ingestKey(t, 'alertmanager');
    const cases = [
      { body: '{"version": ', code: 'malformed_request' },
      { body: '[]', code: 'validation_failed' },
      {
        body: fixture('alertmanager-firing.json').replace('"version": "4"', '"version": "3"'),
        code: 'validation_failed',
      },
      {
        body: JSON.stringify({
          ...JSON.parse(fixture('alertmanager-firing.json')),
          alerts: [{ status: 'exploding' }],
        }),
        code: 'validation_failed',
      },
      { body: '', code: 'malformed_request' },
    ];
    for (const c of cases) {
      const res = await post(t, path, c.body);
      assert.equal(res.statusCode, 400, `${c.body.slice(0, 40)}: ${res.body}`);
      assert.equal(res.json().error.code, c.code);
    }
    assert.equal(await countRows(t, 'alerts'), 0);
    const kept = await t.app.db.selectFrom('ingest_payloads').selectAll().orderBy('received_at').execute();
    assert.equal(kept.length, cases.length);
    assert.ok(kept.every((p) => p.outcome === 'rejected' && p.error));
    assert.equal(kept[0]?.body, '{"version": ');
    // Big bodies are kept cut to a bound, with their full length.
    const big = JSON.stringify({ pad: 'x'.repeat(200_000) });
    assert.equal((await post(t, path, big)).statusCode, 400);
    const last = await t.app.db
      .selectFrom('ingest_payloads')
      .selectAll()
      .where('body_bytes', '>', 100_000)
      .executeTakeFirstOrThrow();
    assert.equal(last.body.length, 64 * 1024);
    assert.equal(last.body_bytes, big.length);
    const tooBig = await post(t, path, JSON.stringify({ pad: 'x'.repeat(2 * 1024 * 1024) }));
    assert.equal(tooBig.statusCode, 413);
  } finally {
    await t.close();
  }
});

test('crier ingest key create|list|revoke over HTTP; the key works at once and never reaches the log', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const log = createLogger(testConfig({ CRIER_LOG_LEVEL: 'info' }), sink);
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, { log });
  try {
    const url = await t.app.listen();
    Object.assign(process.env, { CRIER_URL: url, CRIER_TOKEN: t.tokens.admin });
    const crier = async (args: string[]) => {
      const write = process.stdout.write;
      let out = '';
      process.stdout.write = ((chunk: string | Uint8Array) => {
        out += String(chunk);
        return true;
      }) as typeof process.stdout.write;
      try {
        await buildProgram().parseAsync(['node', 'crier', ...args]);
      } finally {
        process.stdout.write = write;
      }
      return out;
    };
    const created = JSON.parse(
      await crier(['ingest', 'key', 'create', '--source', 'alertmanager', '--name', 'prod', '--json']),
    );
    assert.equal(created.url, `${url}/ingest/alertmanager/${created.key}`);
    assert.match(created.key, /^crier_in_[A-Za-z0-9_-]{43}$/);
    const res = await fetch(created.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: fixture('alertmanager-firing.json'),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const listed = await crier(['ingest', 'key', 'list']);
    assert.match(listed, /alertmanager\s+prod\s+sha256:/);
    assert.ok(!listed.includes(created.key), 'the list never shows the key');
    const revoked = JSON.parse(await crier(['ingest', 'key', 'revoke', created.id, '--json']));
    assert.ok(revoked.revoked_at);
    const refused = await fetch(created.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(refused.status, 401);
    const astray = await fetch(`${created.url}/extra`, { method: 'POST', body: '{}' });
    assert.equal(astray.status, 404);
    assert.ok(!(await astray.text()).includes(created.key), 'nor does a 404 repeat it');
    const shown = await crier(['ingest', 'alerts', '--status', 'firing']);
    assert.match(shown, /PostgreSQL primary is down/);

    const logged = lines.join('');
    assert.match(logged, /\/ingest\/alertmanager\/\[redacted\]/, 'the request was logged');
    assert.ok(!logged.includes(created.key), 'the key never appears in the log');
  } finally {
    await t.close();
  }
});
