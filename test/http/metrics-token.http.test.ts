/**
 * CRIER_METRICS_TOKEN: with it set, /metrics of `crier serve` and of the
 * worker's metrics port answer only a request that carries the token; the
 * other routes do not ask for it. Without it, /metrics stays open.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { serveWorkerHttp } from '../../src/http/worker-http.ts';
import { openTestDb, silentLog } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const sqlite = { name: 'sqlite' as const, url: 'sqlite::memory:' };
const token = 'metrics-token-0123456789';

test('crier serve: /metrics asks for the token when one is set, and nothing else does', async () => {
  const t = await startTestApp(sqlite, { env: { CRIER_METRICS_TOKEN: token } });
  try {
    const get = (headers: Record<string, string> = {}) =>
      t.app.server.inject({ method: 'GET', url: '/metrics', headers });
    const none = await get();
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="metrics"');
    assert.equal(none.json().error.code, 'unauthenticated');
    assert.equal((await get({ authorization: 'Bearer wrong-token-but-long-enough' })).statusCode, 401);
    assert.equal((await get({ authorization: `Basic ${token}` })).statusCode, 401);
    assert.equal((await get(t.auth('admin'))).statusCode, 401, 'an API token is not the metrics token');
    const ok = await get({ authorization: `Bearer ${token}` });
    assert.equal(ok.statusCode, 200);
    assert.match(ok.body, /crier_delivery_queue_depth/);
    // prom-client: the names Crier always had, beside the standard process and Node.js metrics.
    for (const name of [
      'crier_delivery_queue_depth',
      'crier_fanout_duration_seconds_count',
      'crier_status_page_renders_total',
      'crier_live_streams',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      assert.match(ok.body, new RegExp(`^${name} \\d`, 'm'), name);
    }
    assert.match(ok.body, /^# TYPE crier_deliveries_sent_total counter$/m);

    for (const url of ['/healthz', '/', '/api/v2/status.json']) {
      assert.equal((await t.app.server.inject({ url })).statusCode, 200, url);
    }
    assert.equal(
      (await t.app.server.inject({ url: '/api/v1/components', headers: t.auth('viewer') })).statusCode,
      200,
    );
  } finally {
    await t.close();
  }

  const open = await startTestApp(sqlite);
  try {
    assert.equal((await open.app.server.inject({ url: '/metrics' })).statusCode, 200, 'no token set: open');
  } finally {
    await open.close();
  }
});

test('the worker metrics port asks for the same token; its health checks do not', async () => {
  const t = await openTestDb(sqlite);
  const metrics = new DeliveryMetrics();
  const server = await serveWorkerHttp({
    host: '127.0.0.1',
    port: 0,
    db: () => t.db,
    metrics: () => metrics,
    now: () => new Date(),
    log: silentLog,
    metricsToken: token,
  });
  try {
    const none = await fetch(`${server.url}/metrics`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="metrics"');
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'unauthenticated');
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: 'Bearer nope-nope-nope-nope' },
    });
    assert.equal(wrong.status, 401);
    const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    const text = await ok.text();
    assert.match(text, /^crier_delivery_queue_depth 0$/m);
    assert.match(text, /^process_cpu_user_seconds_total \d/m, 'the process metrics on the worker port too');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
  } finally {
    await server.close();
    await t.close();
  }
});
