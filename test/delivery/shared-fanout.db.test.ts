/**
 * Two workers share one fan-out: between batches the fan-out's job goes
 * back to the table, and a worker whose lanes are still full with the batch
 * it expanded waits before claiming again, so the other worker takes the job
 * and sends the next batch itself. Every subscriber hears once.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import type { Db } from '../../src/store/db.ts';
import { deliveryServices } from '../../src/worker.ts';
import { confirmedSubscriber, eachDialect, outboxDrained, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const subscribers = 1200;

function startWorker(db: Db, name: string): Worker {
  const ctx = testCtx(db, {
    clock: systemClock,
    config: testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true', CRIER_DELIVERY_HOST_RATE: '0' }),
  });
  // Four sends in flight: a batch of 300 keeps the lane full (it has room below 200) for a while.
  const set = buildChannelSet(
    { webhook: { type: 'webhook', concurrency: 4 } },
    { allowPrivateNetwork: true, userAgent: name },
  );
  const worker = new Worker(ctx, deliveryServices(ctx), set, new DeliveryMetrics(), {
    pollMs: 20,
    leaseMs: 10_000,
    fanoutBatchSize: 300,
  });
  worker.start();
  return worker;
}

eachDialect(test, 'two workers take turns with one fan-out, each subscriber once', async (db) => {
  const receiver = await startReceiver();
  const ctx = testCtx(db, { clock: systemClock });
  const workers: Worker[] = [];
  try {
    const rows = Array.from({ length: subscribers }, (_, i) =>
      confirmedSubscriber('webhook', `${receiver.url}/hook/${i}`, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
    );
    for (let i = 0; i < rows.length; i += 200)
      await db
        .insertInto('subscribers')
        .values(rows.slice(i, i + 200))
        .execute();
    workers.push(startWorker(db, 'worker-a'), startWorker(db, 'worker-b'));
    await declareIncident(ctx, { name: 'Checkout errors', body: 'Card payments fail.' });
    await waitFor(() => receiver.requests.length >= subscribers, 60_000, `${subscribers} webhooks`);
    await outboxDrained(db, 30_000);
    assert.equal(receiver.requests.length, subscribers);
    assert.equal(new Set(receiver.requests.map((r) => r.url)).size, subscribers, 'each subscriber once');
    const byWorker = new Map<string, number>();
    for (const r of receiver.requests) {
      const ua = String(r.headers['user-agent']);
      byWorker.set(ua, (byWorker.get(ua) ?? 0) + 1);
    }
    assert.ok((byWorker.get('worker-a') ?? 0) > 0, `worker-a sent some: ${JSON.stringify([...byWorker])}`);
    assert.ok((byWorker.get('worker-b') ?? 0) > 0, `worker-b sent some: ${JSON.stringify([...byWorker])}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await receiver.close();
  }
});
