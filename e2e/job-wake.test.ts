/**
 * Two processes on one PostgreSQL: a job queued in this one (as by
 * `crier serve`, whose change notifier tells the others) starts at once in a
 * `crier worker` whose poll is a minute away, instead of at that poll.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { startChangeNotifier } from '../src/store/change-notifier.ts';
import { ChangeBus } from '../src/store/changes.ts';
import { confirmedSubscriber, dialects, openTestDb, silentLog, testCtx } from '../test/helpers/db.ts';
import { startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { startServer, tempDir } from './helpers/process.ts';

const pg = dialects.find((d) => d.name === 'postgres');

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
  const worker = await startServer(
    {
      CRIER_DATABASE_URL: url.toString(),
      CRIER_PLAN: path.join(dir, 'crier.yaml'),
      CRIER_DEMO: 'false',
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      // Its first look for work is at its start; the next would be a minute later.
      CRIER_WORKER_POLL_MS: '60000',
      CRIER_LOG_LEVEL: 'info',
    },
    ['worker'],
    'CRIER_WORKER_METRICS_PORT',
  );
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

    notifier = await startChangeNotifier({
      db: t.db,
      url: pg.url,
      changes: new ChangeBus(),
      log: silentLog,
      onReconnect: () => {},
    });
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
