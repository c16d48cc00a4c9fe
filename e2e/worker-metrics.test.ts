/**
 * `crier worker` with CRIER_WORKER_METRICS_PORT: the counters only a
 * worker keeps (send attempts, provider latency, fan-out duration) can be
 * scraped from the worker process itself, with /healthz and /readyz; a port
 * already taken stops the command at once with a clear error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { confirmedSubscriber, openTestDb, type TestDb, testCtx } from '../test/helpers/db.ts';
import { type Receiver, startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { runCli, type Server, startServer, tempDir } from './helpers/process.ts';

let receiver: Receiver;
let t: TestDb;
let env: Record<string, string>;

before(async () => {
  receiver = await startReceiver();
  const dir = tempDir('crier-worker-metrics-');
  const url = `sqlite:${path.join(dir, 'crier.db')}`;
  fs.writeFileSync(path.join(dir, 'crier.yaml'), 'channels:\n  webhook: { type: webhook }\n');
  env = {
    CRIER_DATABASE_URL: url,
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
    CRIER_DEMO: 'false',
    CRIER_ALLOW_PRIVATE_NETWORK: 'true',
    CRIER_WORKER_POLL_MS: '100',
  };
  t = await openTestDb({ name: 'sqlite', url });
  await t.db
    .insertInto('subscribers')
    .values(
      [0, 1, 2].map((i) =>
        confirmedSubscriber('webhook', `${receiver.url}/hook/${i}`, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
      ),
    )
    .execute();
});

after(async () => {
  await t.close();
  await receiver.close();
});

async function metricLines(worker: Server): Promise<string[]> {
  const res = await fetch(`${worker.url}/metrics`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return (await res.text()).split('\n');
}

test('a worker alone serves its own counters, health and readiness; the port closes after it drains', async () => {
  const worker = await startServer(env, ['worker'], 'CRIER_WORKER_METRICS_PORT');
  try {
    assert.ok((await metricLines(worker)).includes('crier_fanout_duration_seconds_count 0'));

    await declareIncident(testCtx(t.db, { clock: systemClock }), {
      name: 'Webhooks late',
      body: 'Some notifications arrive late.',
    });
    await waitFor(() => receiver.requests.length >= 3, 15_000, 'three webhooks');
    let lines: string[] = [];
    await waitFor(
      async () => {
        lines = await metricLines(worker);
        return lines.includes('crier_deliveries_sent_total{channel="webhook"} 3');
      },
      10_000,
      'three sent deliveries counted',
    );
    for (const line of [
      'crier_delivery_attempts_total{channel="webhook",outcome="sent"} 3',
      'crier_provider_latency_seconds_count{channel="webhook"} 3',
      'crier_fanout_duration_seconds_count 1',
    ])
      assert.ok(lines.includes(line), `${line}\n---\n${lines.join('\n')}`);

    const health = await fetch(`${worker.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    const ready = await fetch(`${worker.url}/readyz`);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok' },
    });
    const missing = await fetch(`${worker.url}/api/v1/incidents`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not_found');
    const posted = await fetch(`${worker.url}/metrics`, { method: 'POST', body: 'x' });
    assert.equal(posted.status, 405);
    assert.equal(posted.headers.get('allow'), 'GET, HEAD');
    await posted.body?.cancel();
  } finally {
    assert.equal(await worker.stop('SIGTERM'), 0, worker.logs());
  }
  await assert.rejects(fetch(`${worker.url}/healthz`), 'nothing listens once the worker has stopped');
});

test('a metrics port already taken stops `crier worker` at once with the reason', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  try {
    // Work waiting, which a worker that started before failing would claim and send.
    await declareIncident(testCtx(t.db, { clock: systemClock }), {
      name: 'Email late',
      body: 'Some emails arrive late.',
    });
    const before = receiver.requests.length;
    const r = await runCli(['worker'], {
      ...env,
      HOST: '127.0.0.1',
      CRIER_WORKER_METRICS_PORT: String(port),
      CRIER_LOG_LEVEL: 'silent',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.equal(
      r.stderr.trim(),
      `crier: cannot serve the worker's metrics on 127.0.0.1:${port} (EADDRINUSE)`,
    );
    assert.equal(receiver.requests.length, before, 'nothing was sent');
    const jobs = await t.db.selectFrom('outbox_jobs').select('state').where('state', '!=', 'done').execute();
    assert.deepEqual(
      jobs.map((j) => j.state),
      ['pending'],
      'the new fan-out was left unclaimed',
    );
  } finally {
    await new Promise((resolve) => taken.close(resolve));
  }
});
