/**
 * Two processes on one PostgreSQL: a job queued in this one (as by
 * `crier serve`, whose change notifier tells the others) starts at once in a
 * `crier worker` whose poll is a minute away, instead of at that poll; and
 * a fan-out handed back between its batches is taken up at once too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { startChangeNotifier } from '../src/store/change-notifier.ts';
import { ChangeBus } from '../src/store/changes.ts';
import {
  confirmedSubscriber,
  dialects,
  openTestDb,
  seedSubscribers,
  silentLog,
  testCtx,
} from '../test/helpers/db.ts';
import { startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { startServer, tempDir } from './helpers/process.ts';

const pg = dialects.find((d) => d.name === 'postgres');

/** A `crier worker` on the test's schema whose own look for work, after its first, is a minute away. */
function sleepyWorker(schemaUrl: URL, plan: string) {
  return startServer(
    {
      CRIER_DATABASE_URL: schemaUrl.toString(),
      CRIER_PLAN: plan,
      CRIER_DEMO: 'false',
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_WORKER_POLL_MS: '60000',
      CRIER_LOG_LEVEL: 'info',
    },
    ['worker'],
    'CRIER_WORKER_METRICS_PORT',
  );
}

/** The change notifier `crier serve` runs, which tells other processes of queued jobs. */
function notifierOn(db: Parameters<typeof startChangeNotifier>[0]['db'], url: string) {
  return startChangeNotifier({ db, url, changes: new ChangeBus(), log: silentLog, onReconnect: () => {} });
}

test('a job queued in one process starts at once in a worker of another (LISTEN/NOTIFY)', {
  skip: !pg && 'needs CRIER_TEST_DATABASE_URL',
}, async () => {
  if (!pg) return;
  const receiver = await startReceiver();
  const t = await openTestDb(pg);
  const dir = tempDir('crier-job-wake-');
  fs.writeFileSync(path.join(dir, 'crier.yaml'), 'channels:\n  webhook: { type: webhook }\n');
  const url = new URL(pg.url);
  url.searchParams.set('options', `-c search_path=${t.schema}`);
  await t.db
    .insertInto('subscribers')
    .values(confirmedSubscriber('webhook', `${receiver.url}/hook`, 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'))
    .execute();
  const worker = await sleepyWorker(url, path.join(dir, 'crier.yaml'));
  const ctx = testCtx(t.db, { clock: systemClock });
  let notifier: Awaited<ReturnType<typeof startChangeNotifier>> | undefined;
  try {
    // Past the worker's first look, so only a notice (or its poll, a minute on) can start the job.
    await waitFor(() => worker.logs().includes('delivery worker started'), 30_000, 'the worker');
    await new Promise((r) => setTimeout(r, 1_500));
    // Queued by a process that tells nobody: the worker sleeps through it.
    await declareIncident(ctx, { name: 'Login errors', body: 'Some sign-ins fail.' });
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(receiver.requests.length, 0, 'nothing sent before a notice or the next poll');

    notifier = await notifierOn(t.db, pg.url);
    await declareIncident(ctx, { name: 'Checkout errors', body: 'Card payments fail.' });
    // Well before the worker's next poll: woken by the notice, it claims both jobs.
    await waitFor(() => receiver.requests.length >= 2, 15_000, 'both updates sent');
  } finally {
    await notifier?.close();
    await worker.stop();
    await t.close();
    await receiver.close();
  }
});

/** Webhooks this worker process has sent, from its metrics port. */
async function sentBy(worker: { url: string }): Promise<number> {
  const text = await (await fetch(`${worker.url}/metrics`)).text();
  const line = text
    .split('\n')
    .find((l) => l.startsWith('crier_delivery_attempts_total{channel="webhook",outcome="sent"}'));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}

test('a fan-out handed back between its batches is taken by another process at once', {
  skip: !pg && 'needs CRIER_TEST_DATABASE_URL',
}, async () => {
  if (!pg) return;
  const receiver = await startReceiver();
  const t = await openTestDb(pg);
  const dir = tempDir('crier-job-handback-');
  // A narrow lane, so the holder's lanes are still full when its batch of 1,000 is handed back.
  fs.writeFileSync(path.join(dir, 'crier.yaml'), 'channels:\n  webhook: { type: webhook, concurrency: 4 }\n');
  const url = new URL(pg.url);
  url.searchParams.set('options', `-c search_path=${t.schema}`);
  const count = 3_000;
  await seedSubscribers(t.db, count, 'webhook', (i) => `${receiver.url}/hook/${i}`);
  // Neither looks for work by itself again within the test: only notices wake them.
  const plan = path.join(dir, 'crier.yaml');
  const workers = [await sleepyWorker(url, plan), await sleepyWorker(url, plan)];
  const ctx = testCtx(t.db, { clock: systemClock });
  const notifier = await notifierOn(t.db, pg.url);
  try {
    for (const w of workers)
      await waitFor(() => w.logs().includes('delivery worker started'), 30_000, 'the workers');
    await new Promise((r) => setTimeout(r, 1_500));
    await declareIncident(ctx, { name: 'Login errors', body: 'Some sign-ins fail.' });
    await waitFor(() => receiver.requests.length >= count, 45_000, 'every webhook sent');
    const [first = 0, second = 0] = await Promise.all(workers.map(sentBy));
    assert.equal(first + second, count, `sent ${first} + ${second}`);
    // Without the hand-back notice the job waits for a poll a minute away after its first batch.
    assert.ok(first > 0 && second > 0, `both workers took part: ${first} + ${second}`);
  } finally {
    await notifier?.close();
    for (const w of workers) await w.stop();
    await t.close();
    await receiver.close();
  }
});
