/** A worker that runs runbook jobs for a test app, and a wait until those due now are through. */

import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import type { Clock } from '../../src/domain/clock.ts';
import { deliveryServices } from '../../src/worker.ts';
import type { TestApp } from './http.ts';
import { waitFor } from './receiver.ts';

/** A started worker on the app's database (no channels: notices fail, and are not what these tests read). */
export function runbookWorker(t: TestApp): Worker {
  const ctx = t.app.systemCtx;
  const worker = new Worker(
    ctx,
    deliveryServices(ctx),
    buildChannelSet({}, { allowPrivateNetwork: true, userAgent: 'test' }),
    new DeliveryMetrics(),
    { pollMs: 50, leaseMs: 5_000 },
  );
  worker.start();
  return worker;
}

/** Waits until every runbook job due by `clock` has run (a `for:` timer later than that waits). */
export async function runbooksDone(t: TestApp, clock: Clock = { now: () => new Date() }): Promise<void> {
  await waitFor(
    async () => {
      const pending = await t.app.db
        .selectFrom('outbox_jobs')
        .select('id')
        .where('kind', 'in', ['runbook.alert', 'runbook.step'])
        .where((eb) =>
          eb.or([
            eb('state', '=', 'running'),
            eb.and([eb('state', '=', 'pending'), eb('run_at', '<=', clock.now().toISOString())]),
          ]),
        )
        .execute();
      return pending.length === 0;
    },
    20_000,
    'the runbook jobs',
  );
}
