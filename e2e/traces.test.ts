/**
 * Traces across processes: `crier serve` without a worker takes the request, `crier worker` runs
 * the job, both exporting to one local OTLP receiver because OTEL_EXPORTER_OTLP_ENDPOINT names
 * it. The worker's job span is the child of the server's transaction span, through the job
 * row's traceparent, and the webhook post is the child of the worker's fan-out batch.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { type Server, startServer, tempDir } from './helpers/process.ts';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { spans: OtlpSpan[] }[];
  }[];
}

test('one trace runs from crier serve through the job row into crier worker and its provider call', async () => {
  const otlp = await startReceiver();
  const hooks = await startReceiver();
  const dir = tempDir('crier-traces-');
  const plan = path.join(dir, 'crier.yaml');
  fs.writeFileSync(
    plan,
    `version: 1
page: { name: Traces, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, webhook] }
channels:
  webhook: { type: webhook }
`,
  );
  const token = 'traces-admin-token-0123456789';
  const env = {
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_PLAN: plan,
    CRIER_DEMO: 'false',
    CRIER_ADMIN_TOKEN: token,
    CRIER_ALLOW_PRIVATE_NETWORK: 'true',
    CRIER_WORKER_POLL_MS: '100',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
    OTEL_SERVICE_NAME: 'crier-e2e',
  };
  const servers: Server[] = [];
  try {
    const server = await startServer({ ...env, CRIER_WORKER: 'false' });
    servers.push(server);
    servers.push(await startServer(env, ['worker'], 'CRIER_WORKER_METRICS_PORT'));
    const post = async (url: string, body: unknown) => {
      const res = await fetch(`${server.url}${url}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 201, await res.clone().text());
      return res.json() as Promise<{ id: string }>;
    };
    await post('/api/v1/subscribers', { webhook: `${hooks.url}/hook` });
    await post('/api/v1/incidents', {
      name: 'Checkout errors',
      severity: 'SEV3',
      body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
    });
    await waitFor(() => hooks.requests.length === 1, 60_000, 'the webhook post');
    // A stop exports what is left.
    for (const s of servers.splice(0)) assert.equal(await s.stop(), 0, s.logs());

    const byProcess = new Map<string, OtlpSpan[]>();
    for (const request of otlp.requests) {
      assert.equal(request.url, '/v1/traces');
      for (const resource of (JSON.parse(request.body) as OtlpExport).resourceSpans) {
        const attribute = (key: string) =>
          resource.resource.attributes.find((a) => a.key === key)?.value.stringValue;
        assert.equal(attribute('service.name'), 'crier-e2e');
        const role = attribute('crier.process') ?? '';
        byProcess.set(role, [...(byProcess.get(role) ?? []), ...resource.scopeSpans.flatMap((s) => s.spans)]);
      }
    }
    // Spans of the request's trace: start-up work (the bootstrap token, the plan) has none.
    const find = (role: string, name: string, parent?: OtlpSpan) => {
      const span = byProcess
        .get(role)
        ?.find((s) => s.name === name && (parent === undefined || s.parentSpanId === parent.spanId));
      assert.ok(
        span,
        `${role} exported ${name}: ${byProcess
          .get(role)
          ?.map((s) => s.name)
          .join(', ')}`,
      );
      return span;
    };
    const request = find('serve', 'POST /api/v1/incidents');
    const verb = find('serve', 'declareIncident');
    const transaction = find('serve', 'db.transaction', verb);
    const job = find('worker', 'job fanout');
    const batch = find('worker', 'fanout batch');
    const send = find('worker', 'send webhook');
    assert.equal(request.parentSpanId ?? '', '', 'the request starts the trace');
    assert.equal(verb.parentSpanId, request.spanId);
    assert.equal(transaction.parentSpanId, verb.spanId);
    assert.equal(job.parentSpanId, transaction.spanId, 'the worker joins the trace through the job row');
    assert.equal(batch.parentSpanId, job.spanId);
    assert.equal(send.parentSpanId, batch.spanId);
    for (const span of [verb, transaction, job, batch, send]) assert.equal(span.traceId, request.traceId);
  } finally {
    for (const s of servers) await s.stop('SIGKILL');
    await Promise.all([otlp.close(), hooks.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
