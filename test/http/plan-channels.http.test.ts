/**
 * Channels follow the plan in force: a plan applied through the API with a
 * new channel is offered to subscribers and used by the running worker,
 * without a restart; a plan whose channels are unchanged leaves the worker
 * as it is.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type AppOptions, createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { type Db, openDatabase } from '../../src/store/db.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const planWith = (channels: string, audienceChannels: string) => `version: 1
page: { name: Reload Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [${audienceChannels}] }
channels:
${channels}`;

for (const dialect of dialects) {
  test(`a plan applied through the API brings its new channel into use without a restart [${dialect.name}]`, async () => {
    const twilio = await startReceiver(() => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-reload-'));
    const planFile = path.join(dir, 'crier.yaml');
    const webhookOnly = planWith('  webhook: { type: webhook }\n', 'status-page, webhook');
    fs.writeFileSync(planFile, webhookOnly);
    const withSms = planWith(
      `  webhook: { type: webhook }
  sms:
    type: sms-twilio
    account: env:TWILIO_SID
    token: env:TWILIO_TOKEN
    from: "+15550100"
    endpoint: ${twilio.url}
`,
      'status-page, webhook, sms',
    );
    const t = await openTestDb(dialect).catch(async (err: unknown) => {
      await twilio.close();
      throw err;
    });
    let app: Awaited<ReturnType<typeof createApp>> | undefined;
    try {
      app = await createApp(
        testConfig({
          CRIER_PLAN: planFile,
          CRIER_ALLOW_PRIVATE_NETWORK: 'true',
          CRIER_PUBLIC_URL: 'https://status.crier.test',
          CRIER_WORKER_POLL_MS: '50',
          TWILIO_SID: 'AC00000000000000000000000000000001',
          TWILIO_TOKEN: 'twilio-auth-token',
        }),
        { db: t.db, timers: false, worker: true, log: silentLog },
      );
      const auth = {
        authorization: `Bearer ${(await createToken(testCtx(t.db), { name: 'reload', role: 'admin' })).token}`,
      };
      const inject = app.server.inject.bind(app.server);
      const applyPlan = (source: string) =>
        inject({ method: 'PUT', url: '/api/v1/plan', headers: auth, payload: { source } });
      const addPhone = () =>
        inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: auth,
          payload: { phone: '+14155550100' },
        });

      // The plan file offers no SMS.
      const refused = await addPhone();
      assert.equal(refused.statusCode, 400, refused.body);
      assert.equal(JSON.parse(refused.body).error.code, 'channel_not_offered');
      assert.doesNotMatch((await inject({ method: 'GET', url: '/subscribe' })).body, /name="phone"/);

      // Applying the same channels again changes nothing in the running worker.
      const worker = app.delivery.worker;
      assert.ok(worker);
      const unchanged = await applyPlan(webhookOnly);
      assert.equal(unchanged.statusCode, 200, unchanged.body);
      await app.delivery.reload();
      assert.equal(app.delivery.worker, worker, 'same channels: the worker keeps running');

      // A plan with an SMS channel, applied through the API: offered and used at once.
      const applied = await applyPlan(withSms);
      assert.equal(applied.statusCode, 200, applied.body);
      assert.equal(JSON.parse(applied.body).unchanged, false);
      // The apply announces itself on the change bus: no call, no restart, no poll needed.
      const delivery = app.delivery;
      await waitFor(() => delivery.worker !== worker, 5_000, 'a new worker for the new channels');
      const added = await addPhone();
      assert.equal(added.statusCode, 201, added.body);
      assert.match((await inject({ method: 'GET', url: '/subscribe' })).body, /name="phone"/);

      const declared = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth,
        payload: {
          name: 'Checkout errors',
          severity: 'SEV3',
          body: 'Card payments fail. Next update by 14:30 UTC.',
        },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      await waitFor(() => twilio.requests.length >= 1, 10_000, 'the SMS through the new channel');
      await outboxDrained(t.db);
      assert.equal(twilio.requests.length, 1, 'exactly once');
      const sms = new URLSearchParams(twilio.requests[0]?.body ?? '');
      assert.equal(sms.get('To'), '+14155550100');
      assert.match(sms.get('Body') ?? '', /Card payments fail/);
    } finally {
      await app?.close();
      await t.close();
      await twilio.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

const withSlack = planWith(
  '  webhook: { type: webhook }\n  slack: { type: slack }\n',
  'status-page, webhook, slack',
);

/**
 * Two processes' apps on one database, started on a plan file without Slack; a plan with Slack
 * is applied through the first, and `then` looks at the second.
 */
async function applyThroughOne(
  dbA: Db,
  dbB: Db,
  options: AppOptions,
  then: (b: Awaited<ReturnType<typeof createApp>>) => Promise<void>,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-reload-'));
  const planFile = path.join(dir, 'crier.yaml');
  fs.writeFileSync(planFile, planWith('  webhook: { type: webhook }\n', 'status-page, webhook'));
  const config = testConfig({ CRIER_PLAN: planFile, CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
  const a = await createApp(config, { timers: false, worker: true, log: silentLog, ...options, db: dbA });
  const b = await createApp(config, { timers: false, worker: true, log: silentLog, ...options, db: dbB });
  try {
    assert.ok(!b.delivery.offered.has('slack'));
    const auth = {
      authorization: `Bearer ${(await createToken(testCtx(dbA), { name: 'reload', role: 'admin' })).token}`,
    };
    const applied = await a.server.inject({
      method: 'PUT',
      url: '/api/v1/plan',
      headers: auth,
      payload: { source: withSlack },
    });
    assert.equal(applied.statusCode, 200, applied.body);
    await then(b);
  } finally {
    await b.close();
    await a.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('a plan applied through one process reaches another on the same SQLite file within seconds', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-reload-db-'));
  const url = `sqlite:${path.join(dir, 'crier.db')}`;
  const dbA = openDatabase(url);
  const dbB = openDatabase(url);
  try {
    await applyThroughOne(dbA, dbB, {}, async (b) => {
      // SQLite has no NOTIFY: the other process sees the version number move at its next look.
      await waitFor(() => b.delivery.offered.has('slack'), 5_000, 'the other process offers Slack');
    });
  } finally {
    await dbB.destroy();
    await dbA.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const pg = dialects.find((d) => d.name === 'postgres');

test('a plan applied through one process brings its channel into another at once (PostgreSQL NOTIFY)', {
  skip: !pg && 'needs CRIER_TEST_DATABASE_URL',
}, async () => {
  if (!pg) return;
  const t = await openTestDb(pg);
  const otherDb = openDatabase(pg.url, { schema: t.schema, poolSize: 2 });
  try {
    // No look at the version number: only the NOTIFY can bring the plan.
    await applyThroughOne(t.db, otherDb, { listenUrl: pg.url, planPollMs: 0 }, async (b) => {
      await waitFor(() => b.delivery.offered.has('slack'), 5_000, 'the other process offers Slack');
      const subscribe = await b.server.inject({ method: 'GET', url: '/subscribe' });
      assert.match(subscribe.body, /name="slack"/);
    });
  } finally {
    await otherDb.destroy();
    await t.close();
  }
});
