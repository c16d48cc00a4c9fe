import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { moveMaintenance } from '../../src/services/maintenances/move.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { addSubscriber } from '../../src/services/subscribers/subscribe.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import type { Db } from '../../src/store/db.ts';
import { deliveryServices } from '../../src/worker.ts';
import { eachDialect, outboxDrained, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

/** The receivers standing in for subscribers listen on 127.0.0.1. */
const localReceivers = testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' });

const offered = new Set(['webhook']);

function startWorker(db: Db) {
  const ctx = testCtx(db, {
    clock: systemClock,
    config: testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' }),
  });
  const worker = new Worker(
    ctx,
    deliveryServices(ctx),
    buildChannelSet({}, { allowPrivateNetwork: true, userAgent: 'test' }),
    new DeliveryMetrics(),
    {
      pollMs: 50,
      leaseMs: 5_000,
    },
  );
  worker.start();
  return worker;
}

eachDialect(
  test,
  "a webhook carries only what its audience was told, in Statuspage's incident shape",
  async (db) => {
    const receiver = await startReceiver();
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    const worker = startWorker(db);
    try {
      await addSubscriber(ctx, { webhook: `${receiver.url}/hook` }, offered);
      const incident = await declareIncident(ctx, {
        name: 'Checkout errors',
        body: 'Checkout fails for some customers.',
        severity: 'SEV1',
      });
      await postUpdate(ctx, incident.id, {
        body: 'Internal: db-primary-3 is down, failing over.',
        audience: 'internal',
      });
      // A draft waiting for approval sits on the same timeline.
      await db
        .insertInto('incident_updates')
        .values({
          ...(await db
            .selectFrom('incident_updates')
            .selectAll()
            .where('incident_id', '=', incident.id)
            .executeTakeFirstOrThrow()),
          id: 'draftupdate01',
          body: 'Unapproved draft wording.',
          state: 'pending_approval',
          published_at: null,
        })
        .execute();
      await postUpdate(ctx, incident.id, {
        status: 'identified',
        body: 'We found the cause and are fixing it.',
      });
      await waitFor(() => receiver.requests.length >= 2, 10_000, 'two public webhooks');
      await outboxDrained(db);
      assert.equal(receiver.requests.length, 2, 'the internal update goes to no public subscriber');
      const last = receiver.requests.map((r) => r.body).find((b) => b.includes('We found the cause')) ?? '';
      assert.ok(!last.includes('Unapproved draft wording'), 'no draft text');
      assert.ok(!last.includes('db-primary-3'), 'no internal update');
      const body = JSON.parse(last) as {
        page: { id: string };
        incident: Record<string, unknown> & { incident_updates: { body: string }[] };
      };
      assert.deepEqual(
        body.incident.incident_updates.map((u) => u.body),
        ['We found the cause and are fixing it.', 'Checkout fails for some customers.'],
      );
      for (const field of ['severity', 'roles', 'created_by', 'scenario', 'drill'])
        assert.ok(!(field in body.incident), `no ${field}`);
      for (const field of [
        'id',
        'name',
        'status',
        'impact',
        'shortlink',
        'page_id',
        'components',
        'monitoring_at',
        'resolved_at',
      ]) {
        assert.ok(field in body.incident, `has ${field}`);
      }
      assert.match(body.page.id, /^[0-9a-f]{12}$/);
    } finally {
      await worker.stop();
      await receiver.close();
    }
  },
);

eachDialect(test, 'those told of a maintenance hear when it is cancelled', async (db) => {
  const receiver = await startReceiver();
  const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
  const worker = startWorker(db);
  try {
    await addSubscriber(ctx, { webhook: `${receiver.url}/m` }, offered);
    const m = await scheduleMaintenance(ctx, {
      name: 'Network upgrade',
      scheduled_for: new Date(Date.now() + 4 * 3_600_000).toISOString(),
      scheduled_until: new Date(Date.now() + 5 * 3_600_000).toISOString(),
    });
    await moveMaintenance(ctx, m.id, 'cancelled');
    await waitFor(() => receiver.requests.length >= 2, 10_000, 'the scheduling and cancellation notices');
    const subjects = (await db.selectFrom('deliveries').select('subject_id').execute())
      .map((d) => d.subject_id.split(':')[1])
      .sort();
    assert.deepEqual(subjects, ['cancelled', 'scheduled']);
    const reminder = await db
      .selectFrom('outbox_jobs')
      .select('state')
      .where('kind', '=', 'maintenance.reminder')
      .executeTakeFirst();
    assert.ok(reminder, 'the reminder job exists and will find the window cancelled');
  } finally {
    await worker.stop();
    await receiver.close();
  }
});

eachDialect(
  test,
  "each channel kind gets the template's variant for it, and the generic text where there is none",
  async (db) => {
    const receiver = await startReceiver();
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    const worker = startWorker(db);
    try {
      await addSubscriber(ctx, { slack: `${receiver.url}/slack` }, new Set(['slack']));
      await addSubscriber(ctx, { webhook: `${receiver.url}/hook` }, offered);
      const incident = await declareIncident(ctx, {
        name: 'Login failures',
        body: 'Signing in fails for some customers.',
        deliver_notifications: false,
      });
      await postUpdate(ctx, incident.id, {
        status: 'identified',
        body: 'Signing in fails for customers who use single sign-on. We found the cause and are fixing it. Next update by 11:00.',
        variants: { chat: 'SSO sign-in fails; fix under way. Next update 11:00.' },
      });
      await waitFor(() => receiver.requests.length >= 2, 10_000, 'the chat and webhook messages');
      const slack = receiver.requests.find((r) => r.url === '/slack')?.body ?? '';
      assert.match(slack, /SSO sign-in fails; fix under way/);
      assert.ok(!slack.includes('single sign-on. We found'), 'the chat variant replaces the generic text');
      const hook = receiver.requests.find((r) => r.url === '/hook')?.body ?? '';
      assert.match(hook, /customers who use single sign-on/, 'webhooks carry the generic text');
    } finally {
      await worker.stop();
      await receiver.close();
    }
  },
);
