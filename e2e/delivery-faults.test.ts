/**
 * Provider faults: the SMTP server refusing mail for a while, and webhook
 * receivers that hang or answer 500 or 429. Retries stay bounded, the
 * failing channel recovers or gives up, and the other channels of the same
 * update finish on time.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelSet } from '../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../src/delivery/metrics.ts';
import { Worker } from '../src/delivery/worker.ts';
import type { ChannelsInput } from '../src/plan/channels.ts';
import { systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { addSubscriber } from '../src/services/subscribers/subscribe.ts';
import type { Db } from '../src/store/db.ts';
import { deliveryServices } from '../src/worker.ts';
import { eachDialect, outboxDrained, testConfig, testCtx } from '../test/helpers/db.ts';
import { type Answer, startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { startSmtpSink } from '../test/helpers/smtp.ts';

const offered = new Set(['email', 'webhook']);

/** The receivers standing in for subscribers listen on 127.0.0.1. */
const localReceivers = testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' });

function worker(db: Db, channels: ChannelsInput) {
  const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
  const set = buildChannelSet(channels, { allowPrivateNetwork: true, userAgent: 'test' });
  const w = new Worker(ctx, deliveryServices(ctx), set, new DeliveryMetrics(), {
    pollMs: 50,
    leaseMs: 10_000,
  });
  w.start();
  return w;
}

async function stateCounts(db: Db, channel: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('channel', '=', channel)
    .where('subject_type', '=', 'incident_update')
    .groupBy('state')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

eachDialect(
  test,
  'SMTP down for a while: email is retried and delivered once it returns; webhooks finish on time',
  async (db) => {
    const smtp = await startSmtpSink();
    const hooks = await startReceiver();
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    smtp.failing = true;
    const w = worker(db, {
      email: {
        type: 'email-smtp',
        url: smtp.url,
        from: 'status@crier.test',
        connections: 5,
        retry_base_ms: 100,
        retry_max_ms: 400,
        max_attempts: 50,
        breaker_failures: 5,
        breaker_cooldown_ms: 300,
      },
    });
    try {
      for (let i = 0; i < 20; i++) {
        await addSubscriber(ctx, { email: `person${i}@example.com` }, offered);
        await addSubscriber(ctx, { webhook: `${hooks.url}/h/${i}` }, offered);
      }
      const started = Date.now();
      await declareIncident(ctx, { name: 'Mail outage', body: 'x' });
      await waitFor(
        async () => (await stateCounts(db, 'webhook')).sent === 20,
        3_000,
        'webhooks while SMTP is down',
      );
      const webhooksTook = Date.now() - started;
      assert.equal(smtp.count, 0, 'no email got through while the server refused');
      const failing = await stateCounts(db, 'email');
      assert.equal(failing.sent ?? 0, 0);
      await new Promise((r) => setTimeout(r, 1_000));
      smtp.failing = false;
      await waitFor(async () => (await stateCounts(db, 'email')).sent === 20, 10_000, 'email after recovery');
      assert.ok(webhooksTook < 3_000, `webhooks took ${webhooksTook} ms`);
      await outboxDrained(db);
      assert.equal(smtp.mails.length, 20, 'each email exactly once');
      assert.equal(new Set(smtp.mails.map((m) => m.to[0])).size, 20);
      assert.equal(hooks.requests.length, 20);
    } finally {
      await w.stop();
      await smtp.close();
      await hooks.close();
    }
  },
);

eachDialect(
  test,
  'webhook receivers that hang, fail or throttle: bounded retries, no effect on other channels',
  async (db) => {
    const smtp = await startSmtpSink();
    const calls = new Map<string, number>();
    const behaviour: Record<string, (n: number) => Answer> = {
      '/hang': () => 'hang',
      '/error': () => ({ status: 500, body: 'internal' }),
      '/throttle': (n) => (n < 2 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }),
    };
    const hooks = await startReceiver((r) => {
      const n = calls.get(r.url) ?? 0;
      calls.set(r.url, n + 1);
      return behaviour[r.url]?.(n) ?? { status: 200 };
    });
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    const w = worker(db, {
      email: { type: 'email-smtp', url: smtp.url, from: 'status@crier.test' },
      webhook: {
        type: 'webhook',
        timeout_ms: 300,
        max_attempts: 3,
        retry_base_ms: 100,
        retry_max_ms: 200,
        concurrency: 8,
      },
    });
    try {
      for (const p of Object.keys(behaviour))
        await addSubscriber(ctx, { webhook: `${hooks.url}${p}` }, offered);
      for (let i = 0; i < 10; i++) {
        await addSubscriber(ctx, { webhook: `${hooks.url}/ok/${i}` }, offered);
        await addSubscriber(ctx, { email: `someone${i}@example.com` }, offered);
      }
      const started = Date.now();
      await declareIncident(ctx, { name: 'Receivers misbehave', body: 'x' });
      await waitFor(
        async () =>
          (await stateCounts(db, 'email')).sent === 10 &&
          hooks.requests.filter((r) => r.url.startsWith('/ok/')).length === 10,
        2_000,
        'healthy receivers and email, unaffected',
      ).catch(async (err: unknown) => {
        throw new Error(
          `${String(err)} ${JSON.stringify({ email: await stateCounts(db, 'email'), webhook: await stateCounts(db, 'webhook'), urls: hooks.requests.map((r) => r.url), mails: smtp.count })}`,
        );
      });
      const healthyTook = Date.now() - started;
      await waitFor(
        async () => {
          const c = await stateCounts(db, 'webhook');
          return (c.sent ?? 0) + (c.dead ?? 0) === 13;
        },
        10_000,
        'every webhook settled',
      );
      assert.ok(healthyTook < 2_000, `healthy deliveries took ${healthyTook} ms`);
      assert.equal(
        calls.get('/hang'),
        3,
        'a hanging receiver is tried max_attempts times, each cut off by the timeout',
      );
      assert.equal(calls.get('/error'), 3, '500 is retried up to max_attempts');
      assert.equal(calls.get('/throttle'), 3, '429 is retried after Retry-After, then succeeds');
      const rows = await db
        .selectFrom('deliveries')
        .innerJoin('subscribers', 'subscribers.id', 'deliveries.subscriber_id')
        .select(['subscribers.contact', 'deliveries.state', 'deliveries.last_error'])
        .where('deliveries.channel', '=', 'webhook')
        .execute();
      const stateOf = (p: string) => rows.find((r) => r.contact.endsWith(p))?.state;
      assert.equal(stateOf('/hang'), 'dead');
      assert.equal(stateOf('/error'), 'dead');
      assert.equal(stateOf('/throttle'), 'sent');
    } finally {
      await w.stop();
      await smtp.close();
      await hooks.close();
    }
  },
);

eachDialect(
  test,
  'a fallback channel carries the email once the primary has spent its attempts',
  async (db) => {
    const smtp = await startSmtpSink();
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    const w = worker(db, {
      // Port 9 (discard) refuses connections here: every attempt on the primary fails at once.
      email: {
        type: 'email-smtp',
        url: 'smtp://127.0.0.1:9/?tls=false',
        from: 'status@crier.test',
        max_attempts: 2,
        retry_base_ms: 50,
        retry_max_ms: 100,
        fallback: 'backup',
      },
      backup: { type: 'email-smtp', url: smtp.url, from: 'status@crier.test' },
    });
    try {
      for (let i = 0; i < 5; i++) await addSubscriber(ctx, { email: `f${i}@example.com` }, offered);
      await declareIncident(ctx, { name: 'Primary down', body: 'x' });
      await waitFor(
        async () => (await stateCounts(db, 'email')).sent === 5,
        10_000,
        'sent through the fallback',
      );
      const rows = await db.selectFrom('deliveries').select(['via', 'attempts']).execute();
      assert.deepEqual(
        rows.map((r) => [r.via, r.attempts]),
        Array(5).fill(['backup', 2]),
      );
      assert.equal(smtp.mails.length, 5);
    } finally {
      await w.stop();
      await smtp.close();
    }
  },
);
