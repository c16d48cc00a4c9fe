/**
 * Deliveries are paced per target host (CRIER_DELIVERY_HOST_RATE), so a
 * page with many subscriptions pointing at one host cannot flood it, and
 * another host's deliveries do not wait behind that host's queue.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { deliveryServices } from '../../src/worker.ts';
import { confirmedSubscriber, eachDialect, testConfig, testCtx } from '../helpers/db.ts';
import { waitFor } from '../helpers/receiver.ts';

/** A receiver on one loopback address, noting when each request arrived. */
async function receiverOn(host: string): Promise<{ url: string; at: number[]; close(): Promise<void> }> {
  const at: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      at.push(performance.now());
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, host, () => r()));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    at,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

eachDialect(test, 'sends to one host are paced; another host does not wait behind it', async (db) => {
  const busy = await receiverOn('127.0.0.1');
  const other = await receiverOn('127.0.0.2');
  const ctx = testCtx(db, {
    clock: systemClock,
    config: testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true', CRIER_DELIVERY_HOST_RATE: '10' }),
  });
  const worker = new Worker(
    ctx,
    deliveryServices(ctx),
    buildChannelSet({}, { allowPrivateNetwork: true, userAgent: 'test' }),
    new DeliveryMetrics(),
    { pollMs: 50, leaseMs: 10_000 },
  );
  try {
    await db
      .insertInto('subscribers')
      .values([
        ...Array.from({ length: 30 }, (_, i) => confirmedSubscriber('webhook', `${busy.url}/hook/${i}`)),
        ...Array.from({ length: 5 }, (_, i) => confirmedSubscriber('webhook', `${other.url}/hook/${i}`)),
      ])
      .execute();
    worker.start();
    await declareIncident(ctx, { name: 'API errors', body: 'Requests fail. Next update by 14:30 UTC.' });
    await waitFor(() => busy.at.length === 30 && other.at.length === 5, 20_000, 'every webhook');

    const first = busy.at[0] ?? 0;
    const since = busy.at.map((t) => t - first);
    // Ten at once (a second's worth), then one every 100 ms: the thirtieth about two seconds on.
    // Measured from the first arrival, which a loaded machine can delay by a few hundred ms while
    // later sends run on time; unpaced, all thirty arrive within tens of milliseconds.
    assert.ok(
      (since[29] ?? 0) >= 1_400,
      `the thirtieth came ${Math.round(since[29] ?? 0)} ms after the first`,
    );
    // At most a burst and a second's worth in any second (a few more where a loaded machine ran late).
    for (const start of since) {
      const inWindow = since.filter((t) => t >= start && t < start + 1000).length;
      assert.ok(inWindow <= 24, `${inWindow} requests to one host within a second`);
    }
    const otherDone = Math.max(...other.at);
    assert.ok(otherDone < (busy.at[19] ?? 0), 'the other host had all five before the busy host had twenty');
    const states = await db.selectFrom('deliveries').select(['state', 'attempts']).execute();
    assert.equal(states.length, 35);
    await waitFor(
      async () =>
        (await db.selectFrom('deliveries').select('state').execute()).every((d) => d.state === 'sent'),
      5_000,
      'every outcome written',
    );
    assert.ok(
      (await db.selectFrom('deliveries').select(['state', 'attempts']).execute()).every(
        (d) => d.state === 'sent' && d.attempts === 1,
      ),
      'waiting for a turn is not an attempt',
    );
  } finally {
    await worker.stop();
    await busy.close();
    await other.close();
  }
});
