/**
 * Short leases, renewed while the worker lives: a send that takes several
 * leases stays its worker's, and a second worker beside it does not send it
 * again. (What a worker killed mid fan-out leaves is taken over within one
 * lease: e2e/delivery-crash.test.ts, with real processes.)
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
import type { Db } from '../../src/store/db.ts';
import { deliveryServices } from '../../src/worker.ts';
import { confirmedSubscriber, eachDialect, outboxDrained, testConfig, testCtx } from '../helpers/db.ts';
import { waitFor } from '../helpers/receiver.ts';

const leaseMs = 1_000;
const config = testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' });

function worker(db: Db): Worker {
  const ctx = testCtx(db, { clock: systemClock, config });
  const channels = buildChannelSet({}, { allowPrivateNetwork: true, userAgent: 'test' });
  const w = new Worker(ctx, deliveryServices(ctx), channels, new DeliveryMetrics(), { pollMs: 50, leaseMs });
  w.start();
  return w;
}

/** A webhook receiver that answers each request only after `delayMs`, counting what it got. */
async function slowReceiver(delayMs: number) {
  const got: string[] = [];
  const server = http.createServer((req, res) => {
    got.push(req.url ?? '');
    req.resume();
    setTimeout(() => res.end('ok'), delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

eachDialect(test, 'a send that outlasts several leases stays with its live worker: sent once', async (db) => {
  // Four leases long: without renewal, the second worker would claim each of these and send it again.
  const receiver = await slowReceiver(4 * leaseMs);
  const ctx = testCtx(db, { clock: systemClock, config });
  const workers: Worker[] = [];
  try {
    for (let i = 0; i < 3; i++)
      await db
        .insertInto('subscribers')
        .values(confirmedSubscriber('webhook', `${receiver.url}/hook/${i}`, 'whsec_dGVzdA=='))
        .execute();
    workers.push(worker(db), worker(db));
    await declareIncident(ctx, { name: 'Login failures', body: 'Some customers cannot sign in.' });
    await waitFor(() => receiver.got.length >= 3, 10_000, 'the incident to reach all three');
    await outboxDrained(db, 20_000);
    assert.equal(receiver.got.length, 3, 'each one once');
    const states = await db.selectFrom('deliveries').select(['state', 'attempts']).execute();
    assert.ok(
      states.every((d) => d.state === 'sent' && d.attempts === 1),
      JSON.stringify(states),
    );
  } finally {
    for (const w of workers) await w.stop();
    await receiver.close();
  }
});
