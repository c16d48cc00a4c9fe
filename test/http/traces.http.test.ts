/**
 * Traces, end to end on real things: with OTEL_EXPORTER_OTLP_ENDPOINT naming a local OTLP
 * receiver, an incident declared through the API gives one trace, from the request (a child of the
 * caller's traceparent) through its verb and transaction, across the outbox to the fan-out job and
 * its batch, to the SMTP send and the webhook post, each span the child of the one before. The
 * public page stays untraced.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';
import { startTraces } from '../../src/cli/traces.ts';
import { dialects, silentLog, testConfig } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { type Received, startReceiver } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

/** A span as OTLP/HTTP's JSON encoding carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: { key: string; value: Record<string, unknown> }[];
  status?: { code?: number; message?: string };
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

// OTLP's SpanKind: 1 internal, 2 server, 3 client, 5 consumer.
const kind = { internal: 1, server: 2, client: 3, consumer: 5 };

const otlp = await startReceiver();
const traces = await startTraces(
  testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: `${otlp.url}/` }),
  silentLog,
  'serve',
);
after(async () => {
  await traces?.shutdown();
  await otlp.close();
});

function exported(requests: Received[]): { spans: OtlpSpan[]; services: Set<string> } {
  const spans: OtlpSpan[] = [];
  const services = new Set<string>();
  for (const request of requests) {
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/v1/traces', 'the base endpoint gets the traces path');
    assert.match(String(request.headers['content-type']), /^application\/json/);
    const body = JSON.parse(request.body) as OtlpExport;
    for (const resource of body.resourceSpans) {
      const name = resource.resource.attributes.find((a) => a.key === 'service.name');
      services.add(name?.value.stringValue ?? '');
      for (const scope of resource.scopeSpans) spans.push(...scope.spans);
    }
  }
  return { spans, services };
}

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

for (const dialect of dialects) {
  test(`one trace goes from the request through the outbox job to each provider call [${dialect.name}]`, async () => {
    assert.ok(traces, 'the endpoint turns traces on');
    const smtp = await startSmtpSink();
    const hooks = await startReceiver();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  webhook: { type: webhook }`,
        audiences: { public: ['status-page', 'email', 'webhook'] },
        env: { SMTP_URL: smtp.url, CRIER_ALLOW_PRIVATE_NETWORK: 'true' },
      });
      const { auth, t } = app;
      const inject = app.app.server.inject.bind(app.app.server);
      for (const payload of [{ email: 'ada@example.com' }, { webhook: `${hooks.url}/hook` }]) {
        const res = await inject({ method: 'POST', url: '/api/v1/subscribers', headers: auth, payload });
        assert.equal(res.statusCode, 201, res.body);
      }
      // The caller's own trace: the request's span is its child.
      const traceId = randomBytes(16).toString('hex');
      const callerSpan = randomBytes(8).toString('hex');
      // Over a real socket: the body arrives in the socket's events, after the request's first hook.
      const url = await app.app.server.listen({ port: 0, host: '127.0.0.1' });
      const declared = await fetch(`${url}/api/v1/incidents`, {
        method: 'POST',
        headers: {
          ...auth,
          'content-type': 'application/json',
          traceparent: `00-${traceId}-${callerSpan}-01`,
        },
        body: JSON.stringify({
          name: 'Checkout errors',
          severity: 'SEV3',
          body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
        }),
      });
      assert.equal(declared.status, 201, await declared.clone().text());
      const updateId = ((await declared.json()) as { incident_updates: { id: string }[] }).incident_updates[0]
        ?.id;
      assert.ok(updateId);
      const deliveries = await app.settled(updateId);
      assert.deepEqual(deliveries.map((d) => d.state).sort(), ['sent', 'sent']);
      assert.equal(smtp.mails.length, 1);
      assert.equal(hooks.requests.length, 1);
      // The page answers from memory, untraced.
      assert.equal((await inject({ method: 'GET', url: '/api/v2/summary.json' })).statusCode, 200);
      await traces?.flush();

      const { spans: all, services } = exported(otlp.requests);
      assert.ok(services.has('crier'), 'OTEL_SERVICE_NAME defaults to crier');
      assert.ok(!all.some((s) => s.name.startsWith('GET ')), 'no span for the public page');
      const spans = all.filter((s) => s.traceId === traceId);
      const one = (name: string) => {
        const found = spans.filter((s) => s.name === name);
        assert.equal(found.length, 1, `one ${name} span in ${spans.map((s) => s.name).join(', ')}`);
        return found[0] as OtlpSpan;
      };
      const request = one('POST /api/v1/incidents');
      const verb = one('declareIncident');
      const transaction = one('db.transaction');
      const job = one('job fanout');
      const batch = one('fanout batch');
      const email = one('send email-smtp');
      const webhook = one('send webhook');
      const chain: [OtlpSpan, string, number][] = [
        [request, callerSpan, kind.server],
        [verb, request.spanId, kind.internal],
        [transaction, verb.spanId, kind.internal],
        // Across the outbox: the job's span is a child of the transaction that queued it.
        [job, transaction.spanId, kind.consumer],
        [batch, job.spanId, kind.internal],
        [email, batch.spanId, kind.client],
        [webhook, batch.spanId, kind.client],
      ];
      for (const [span, parent, expected] of chain) {
        assert.equal(span.parentSpanId, parent, `${span.name}'s parent`);
        assert.equal(span.kind, expected, `${span.name}'s kind`);
        assert.ok(
          BigInt(span.endTimeUnixNano) >= BigInt(span.startTimeUnixNano),
          `${span.name} ends after it starts`,
        );
      }
      assert.ok(BigInt(job.startTimeUnixNano) >= BigInt(transaction.startTimeUnixNano));
      assert.equal(attribute(request, 'http.route'), '/api/v1/incidents');
      assert.equal(attribute(request, 'http.response.status_code'), 201);
      assert.equal(
        attribute(transaction, 'db.system.name'),
        dialect.name === 'postgres' ? 'postgresql' : 'sqlite',
      );
      assert.equal(attribute(email, 'crier.channel'), 'email');
      assert.equal(attribute(webhook, 'crier.channel.type'), 'webhook');
      assert.deepEqual(
        new Set([attribute(email, 'crier.delivery.id'), attribute(webhook, 'crier.delivery.id')]),
        new Set(deliveries.map((d) => d.id)),
      );
      // The job row carries the W3C traceparent of the span that queued it.
      const row = await t.db
        .selectFrom('outbox_jobs')
        .select('traceparent')
        .where('dedupe_key', '=', `fanout:${updateId}`)
        .executeTakeFirstOrThrow();
      assert.equal(row.traceparent, `00-${traceId}-${transaction.spanId}-01`);
    } finally {
      await app?.close();
      await Promise.all([smtp.close(), hooks.close()]);
    }
  });
}
