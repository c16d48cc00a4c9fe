/**
 * The broadcast path: an update for an audience that names a broadcast
 * channel is written as one delivery to the channel's account, with the
 * fan-out's first batch, once even when written again, and sent through the
 * channel's own lane; audiences that do not name it, component events and
 * undescribed audiences never reach it; notices to it go to its account.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { addSubscriber } from '../../src/services/subscribers/subscribe.ts';
import { withTransaction } from '../../src/services/transaction.ts';
import type { Db } from '../../src/store/db.ts';
import { insertBroadcasts } from '../../src/store/fanout.ts';
import { sendToChannel } from '../../src/store/outbox.ts';
import { deliveryServices } from '../../src/worker.ts';
import { eachDialect, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const ok = {
  status: 200,
  headers: { 'content-type': 'application/json' },
  body: '{"ok":true,"result":{"message_id":1},"id":"n1"}',
};

async function settled(db: Db) {
  await waitFor(
    async () => {
      // Running jobs, and pending ones due now (a maintenance's reminder waits for its day).
      const open = await db
        .selectFrom('outbox_jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb('state', '=', 'running'),
            eb.and([
              eb('state', '=', 'pending'),
              eb('run_at', '<=', new Date(Date.now() + 1_000).toISOString()),
            ]),
          ]),
        )
        .execute();
      const unsent = await db
        .selectFrom('deliveries')
        .select('id')
        .where('state', 'in', ['pending', 'sending', 'failed'])
        .execute();
      return open.length === 0 && unsent.length === 0;
    },
    15_000,
    'every job and delivery settled',
  );
}

eachDialect(test, "broadcast channels hear an audience's updates once, at their own account", async (db) => {
  const ntfy = await startReceiver(() => ok);
  const bot = await startReceiver(() => ok);
  const hooks = await startReceiver();
  const ctx = testCtx(db, {
    clock: systemClock,
    config: testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' }),
  });
  const set = buildChannelSet(
    {
      alerts: { type: 'ntfy', server: ntfy.url, topic: 'acme-status' },
      news: { type: 'telegram', token: '1:tok', chat_id: '@acme_news', endpoint: bot.url },
      webhook: { type: 'webhook' },
    },
    { allowPrivateNetwork: true, userAgent: 'test' },
    { public: { channels: ['alerts', 'webhook'] }, internal: { channels: ['news'] } },
  );
  assert.deepEqual([...set.lanesFor('public')].sort(), ['alerts', 'webhook']);
  assert.deepEqual([...set.kindsFor('public')], ['webhook'], 'a broadcast is no kind of subscriber');
  assert.ok(!set.lanesFor('enterprise').has('alerts'), 'an undescribed audience hears on no broadcast');
  assert.ok(set.lanesFor('enterprise').has('webhook'));
  const worker = new Worker(ctx, deliveryServices(ctx), set, new DeliveryMetrics(), {
    pollMs: 50,
    leaseMs: 5_000,
  });
  try {
    const api = await createComponent(ctx, { name: 'API' });
    await addSubscriber(ctx, { webhook: `${hooks.url}/hook` }, new Set(['webhook']));
    worker.start();
    const incident = await declareIncident(ctx, {
      name: 'API errors',
      body: 'Requests fail. Next update by 14:30 UTC.',
      components: { [api.id]: 'major_outage' },
    });
    await settled(db);
    // The webhook subscriber hears the update and the component's change; the topic, the update only.
    assert.equal(hooks.requests.length, 2);
    assert.equal(ntfy.requests.length, 1);
    assert.match(ntfy.requests[0]?.body ?? '', /Requests fail/);
    assert.equal(bot.requests.length, 0, 'the internal audience was not told');
    const updateId = incident.incident_updates[0]?.id ?? '';
    const rows = await db
      .selectFrom('deliveries')
      .selectAll()
      .where('subscriber_id', '=', 'account:alerts')
      .execute();
    assert.deepEqual(
      rows.map((d) => [d.subject_id, d.channel, d.state, d.attempts]),
      [[updateId, 'alerts', 'sent', 1]],
    );

    // Written again (a fan-out's first batch after a crash): nothing new.
    const again = await withTransaction(ctx, (tx) =>
      insertBroadcasts(
        tx.db,
        {
          subject_type: 'incident_update',
          subject_id: updateId,
          incident_id: incident.id,
          audience: 'public',
          component_ids: [],
          sms_default: true,
          drill: false,
        },
        ['alerts'],
        new Date(),
      ),
    );
    assert.equal(again, 0);

    // A maintenance for the public audience reaches the topic too.
    const start = new Date(Date.now() + 86_400_000);
    await scheduleMaintenance(ctx, {
      name: 'Database upgrade',
      body: 'The API is read-only for ten minutes.',
      scheduled_for: start.toISOString(),
      scheduled_until: new Date(start.getTime() + 3_600_000).toISOString(),
      component_ids: [api.id],
    });
    await settled(db);
    assert.equal(ntfy.requests.length, 2);
    assert.match(ntfy.requests[1]?.body ?? '', /Database upgrade/);

    // A notice to the channel goes to its account.
    await withTransaction(ctx, (tx) =>
      sendToChannel(tx, 'news', { title: 'Drill at 3pm', text: 'No action needed.' }),
    );
    await settled(db);
    assert.equal(bot.requests.length, 1);
    assert.equal((JSON.parse(bot.requests[0]?.body ?? '{}') as { chat_id: string }).chat_id, '@acme_news');
  } finally {
    await worker.stop();
    await Promise.all([ntfy.close(), bot.close(), hooks.close()]);
  }
});
