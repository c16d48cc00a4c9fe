import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import type { ChannelsInput } from '../../src/plan/channels.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { moveMaintenance } from '../../src/services/maintenances/move.ts';
import { scheduleMaintenance } from '../../src/services/maintenances/schedule.ts';
import { updateDeliveryCounts } from '../../src/services/subscribers/queries.ts';
import { addSubscriber } from '../../src/services/subscribers/subscribe.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import type { Db } from '../../src/store/db.ts';
import { deliveryServices } from '../../src/worker.ts';
import { eachDialect, outboxDrained, testConfig, testCtx } from '../helpers/db.ts';
import { type Answer, type Received, startReceiver, waitFor } from '../helpers/receiver.ts';

/** The receivers standing in for subscribers listen on 127.0.0.1. */
const localReceivers = testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' });

const offered = new Set(['email', 'sms', 'webhook', 'slack', 'teams', 'discord', 'push']);

function startWorker(db: Db, channels: ChannelsInput = {}) {
  const ctx = testCtx(db, {
    clock: systemClock,
    config: testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' }),
  });
  const set = buildChannelSet(channels, { allowPrivateNetwork: true, userAgent: 'test' });
  const worker = new Worker(ctx, deliveryServices(ctx), set, new DeliveryMetrics(), {
    pollMs: 50,
    leaseMs: 5_000,
    fanoutBatchSize: 7,
  });
  worker.start();
  return { ctx, worker };
}

function verify(secret: string, r: Received): boolean {
  const id = String(r.headers['webhook-id']);
  const ts = String(r.headers['webhook-timestamp']);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${r.body}`).digest('base64')}`;
  return String(r.headers['webhook-signature']) === expected;
}

eachDialect(test, 'a published update reaches every matching webhook subscriber once, signed', async (db) => {
  const receiver = await startReceiver();
  const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
  try {
    const api = await createComponent(ctx, { name: 'API' });
    const web = await createComponent(ctx, { name: 'Website' });
    const secrets = new Map<string, string>();
    for (let i = 0; i < 20; i++) {
      // Every fourth subscriber only follows the website, so it must not hear about the API.
      const s = await addSubscriber(
        ctx,
        { webhook: `${receiver.url}/hook/${i}`, ...(i % 4 === 0 && { component_ids: [web.id] }) },
        offered,
      );
      secrets.set(`/hook/${i}`, s.secret ?? '');
    }
    const { worker } = startWorker(db);
    try {
      const incident = await declareIncident(ctx, {
        name: 'API errors',
        body: 'Requests fail.',
        components: { [api.id]: 'major_outage' },
      });
      // Each subscriber of the API hears twice, as from Statuspage: the incident, and the component's change.
      await waitFor(() => receiver.requests.length >= 30, 10_000, '30 webhooks');
      await outboxDrained(db);
      assert.equal(receiver.requests.length, 30);
      const incidents = receiver.requests.filter((r) => 'incident' in (JSON.parse(r.body) as object));
      const components = receiver.requests.filter(
        (r) => 'component_update' in (JSON.parse(r.body) as object),
      );
      assert.equal(new Set(incidents.map((r) => r.url)).size, 15, 'each subscriber once');
      assert.equal(new Set(components.map((r) => r.url)).size, 15, 'each subscriber once');
      for (const r of receiver.requests) {
        assert.equal(r.method, 'POST');
        assert.equal(r.headers['content-type'], 'application/json');
        assert.ok(verify(secrets.get(r.url) ?? '', r), `signature valid for ${r.url}`);
      }
      for (const r of incidents) {
        const body = JSON.parse(r.body) as {
          incident: { id: string; name: string; incident_updates: unknown[] };
          meta: { unsubscribe: string };
        };
        assert.equal(body.incident.id, incident.id);
        assert.equal(body.incident.name, 'API errors');
        assert.match(body.meta.unsubscribe, /\/unsubscribe\//);
      }
      const change = JSON.parse(components[0]?.body ?? '{}') as {
        component_update: { component_id: string; old_status: string; new_status: string };
        component: { id: string; name: string; status: string };
      };
      assert.deepEqual(
        [
          change.component_update.component_id,
          change.component_update.old_status,
          change.component_update.new_status,
        ],
        [api.id, 'operational', 'major_outage'],
      );
      assert.deepEqual(
        [change.component.id, change.component.name, change.component.status],
        [api.id, 'API', 'major_outage'],
      );
      await waitFor(
        async () =>
          (await db.selectFrom('deliveries').select('state').where('state', '=', 'sent').execute()).length ===
          30,
      );
      const jobs = await db.selectFrom('outbox_jobs').select('state').execute();
      assert.deepEqual(
        jobs.map((j) => j.state),
        ['done', 'done'],
      );
      // What `crier deliveries <update-id>` shows: the update's messages and its component events.
      const updateId = incident.incident_updates[0]?.id ?? '';
      assert.deepEqual(await updateDeliveryCounts(db, updateId), {
        update_id: updateId,
        fanout: 'done',
        total: 15,
        by_state: { sent: 15 },
        by_channel: { webhook: { sent: 15 } },
        component_events: { fanout: 'done', total: 15, by_state: { sent: 15 } },
      });
    } finally {
      await worker.stop();
    }
  } finally {
    await receiver.close();
  }
});

eachDialect(test, 'an update with deliver_notifications off writes no fan-out', async (db) => {
  const ctx = testCtx(db);
  const incident = await declareIncident(ctx, { name: 'Quiet', body: 'x', deliver_notifications: false });
  await postUpdate(ctx, incident.id, { body: 'y', deliver_notifications: false });
  assert.equal((await db.selectFrom('outbox_jobs').selectAll().execute()).length, 0);
  await postUpdate(ctx, incident.id, { body: 'z' });
  assert.equal((await db.selectFrom('outbox_jobs').selectAll().execute()).length, 1);
});

eachDialect(test, '500 and 429 are retried (honouring Retry-After), 400 is not, 410 disables', async (db) => {
  const answers: Record<string, (n: number) => Answer> = {
    '/flaky': (n) => (n < 2 ? { status: 500, body: 'oops' } : { status: 200 }),
    '/slow-down': (n) => (n < 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 204 }),
    '/bad': () => ({ status: 400, body: 'no' }),
    '/gone': () => ({ status: 410 }),
  };
  const counts = new Map<string, number>();
  const receiver = await startReceiver((r) => {
    const n = counts.get(r.url) ?? 0;
    counts.set(r.url, n + 1);
    return answers[r.url]?.(n) ?? { status: 200 };
  });
  const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
  try {
    const ids = new Map<string, string>();
    for (const path of Object.keys(answers)) {
      ids.set(path, (await addSubscriber(ctx, { webhook: `${receiver.url}${path}` }, offered)).id);
    }
    const { worker } = startWorker(db, {
      webhook: { type: 'webhook', retry_base_ms: 50, retry_max_ms: 200, max_attempts: 4 },
    });
    try {
      await declareIncident(ctx, { name: 'Flaky', body: 'x' });
      const stateOf = async (path: string) =>
        await db
          .selectFrom('deliveries')
          .select(['state', 'attempts', 'last_error'])
          .where('subscriber_id', '=', ids.get(path) ?? '')
          .executeTakeFirst();
      await waitFor(
        async () => {
          const all = await Promise.all(Object.keys(answers).map(stateOf));
          return all.every((d) => d && (d.state === 'sent' || d.state === 'dead'));
        },
        10_000,
        'all settled',
      );
      assert.equal((await stateOf('/flaky'))?.state, 'sent');
      assert.equal((await stateOf('/flaky'))?.attempts, 3);
      assert.equal((await stateOf('/bad'))?.state, 'dead');
      assert.equal((await stateOf('/bad'))?.attempts, 1);
      assert.equal((await stateOf('/gone'))?.state, 'dead');
      const slow = receiver.requests.filter((r) => r.url === '/slow-down');
      assert.equal(slow.length, 2);
      assert.ok((slow[1]?.at ?? 0) - (slow[0]?.at ?? 0) >= 950, 'waited for Retry-After');
      const gone = await db
        .selectFrom('subscribers')
        .select(['state'])
        .where('id', '=', ids.get('/gone') ?? '')
        .executeTakeFirst();
      assert.equal(gone?.state, 'disabled');
    } finally {
      await worker.stop();
    }
  } finally {
    await receiver.close();
  }
});

eachDialect(
  test,
  'maintenance: notices on scheduling, a reminder before the start, at the start and at the end',
  async (db) => {
    const receiver = await startReceiver();
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    try {
      await addSubscriber(ctx, { webhook: `${receiver.url}/m` }, offered);
      const start = new Date(Date.now() + 2 * 3_600_000).toISOString();
      const end = new Date(Date.now() + 3 * 3_600_000).toISOString();
      const m = await scheduleMaintenance(ctx, {
        name: 'Database upgrade',
        scheduled_for: start,
        scheduled_until: end,
      });
      const jobs = await db.selectFrom('outbox_jobs').select(['kind', 'run_at']).orderBy('run_at').execute();
      assert.deepEqual(
        jobs.map((j) => j.kind),
        ['fanout', 'maintenance.reminder'],
      );
      assert.equal(
        jobs[1]?.run_at,
        new Date(Date.parse(start) - 60 * 60_000).toISOString(),
        'reminder 60 minutes before',
      );
      // The reminder is due: bring it forward, as the clock would.
      await db
        .updateTable('outbox_jobs')
        .set({ run_at: new Date().toISOString() })
        .where('kind', '=', 'maintenance.reminder')
        .execute();
      const { worker } = startWorker(db);
      try {
        await waitFor(() => receiver.requests.length >= 2, 5_000, 'the scheduling notice and the reminder');
        await moveMaintenance(ctx, m.id, 'in_progress');
        await moveMaintenance(ctx, m.id, 'completed');
        await waitFor(() => receiver.requests.length >= 4, 5_000, 'four maintenance notices').catch(
          async (err: unknown) => {
            const state = {
              jobs: await db
                .selectFrom('outbox_jobs')
                .select(['kind', 'state', 'last_error', 'run_at'])
                .execute(),
              deliveries: await db
                .selectFrom('deliveries')
                .select(['subject_id', 'state', 'last_error'])
                .execute(),
            };
            throw new Error(`${String(err)} ${JSON.stringify(state)}`);
          },
        );
        await outboxDrained(db);
        assert.equal(receiver.requests.length, 4);
        const statuses = receiver.requests.map(
          (r) => (JSON.parse(r.body) as { incident: { name: string } }).incident.name,
        );
        assert.deepEqual(statuses, Array(4).fill('Database upgrade'));
        const subjects = (await db.selectFrom('deliveries').select('subject_id').execute())
          .map((d) => d.subject_id.split(':')[1])
          .sort();
        assert.deepEqual(subjects, ['completed', 'in_progress', 'reminder', 'scheduled']);
      } finally {
        await worker.stop();
      }
    } finally {
      await receiver.close();
    }
  },
);
