/**
 * What the public form adds cannot aim Crier at someone else: an IP-literal
 * private target is refused when the subscription is made; a webhook hears
 * nothing but a signed verification until it echoes the challenge; a chat
 * room hears nothing but one message with a confirmation link until someone
 * there confirms. Staff adding through the admin API are trusted, unless
 * they ask for the same checks.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type App, createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, silentLog, type TestDialect, testConfig, testCtx } from '../helpers/db.ts';
import { type Received, startReceiver, waitFor } from '../helpers/receiver.ts';

function planFile(): { dir: string; plan: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-verify-'));
  const plan = path.join(dir, 'crier.yaml');
  fs.writeFileSync(
    plan,
    `version: 1
page: { name: Verify Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, webhook, slack, teams, discord] }
channels:
  webhook: { type: webhook }
  slack: { type: slack }
  teams: { type: teams }
  discord: { type: discord }
`,
  );
  return { dir, plan };
}

async function start(dialect: TestDialect, env: Record<string, string>) {
  const { dir, plan } = planFile();
  const t = await openTestDb(dialect);
  const config = testConfig({
    CRIER_PLAN: plan,
    CRIER_PUBLIC_URL: 'https://status.crier.test',
    CRIER_WORKER_POLL_MS: '50',
    ...env,
  });
  const app: App = await createApp(config, { db: t.db, timers: false, worker: true, log: silentLog });
  const admin = (await createToken(testCtx(t.db), { name: 'verify', role: 'admin' })).token;
  return {
    app,
    db: t.db,
    auth: { authorization: `Bearer ${admin}` },
    inject: app.server.inject.bind(app.server),
    close: async () => {
      await app.close();
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function signedBy(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`;
  return r.headers['webhook-signature'] === `v1,${createHmac('sha256', key).update(signed).digest('base64')}`;
}

for (const dialect of dialects) {
  test(`an IP-literal private target is refused when the subscription is made, however written [${dialect.name}]`, async () => {
    const s = await start(dialect, {});
    try {
      for (const url of [
        'https://[::127.0.0.1]/hook',
        'https://[::7f00:1]/hook',
        'https://[::ffff:0:7f00:1]/hook',
        'https://0x7f.1/hook',
        'http://169.254.169.254/latest/meta-data',
        'https://[64:ff9b::a00:1]/hook',
        'https://[2002:c0a8:101::1]/hook',
        'https://localhost/hook',
      ]) {
        const form = await s.inject({ method: 'POST', url: '/subscribe', payload: { webhook: url } });
        assert.equal(form.statusCode, 400, `${url}: ${form.body}`);
        const error = JSON.parse(form.body).error as {
          code: string;
          details: { path: string; message: string }[];
        };
        assert.equal(error.code, 'validation_failed');
        assert.equal(error.details[0]?.path, 'webhook');
        assert.match(error.details[0]?.message ?? '', /points at an address Crier does not send to/);
        const admin = await s.inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: s.auth,
          payload: { slack: url },
        });
        assert.equal(admin.statusCode, 400, `${url}: ${admin.body}`);
      }
      const imported = await s.inject({
        method: 'POST',
        url: '/api/v1/subscribers/import',
        headers: { ...s.auth, 'content-type': 'text/csv' },
        payload: 'webhook\nhttps://[::ffff:0:7f00:1]/hook\nhttps://hooks.example.com/ok\n',
      });
      const result = JSON.parse(imported.body) as {
        imported: number;
        errors: { line: number; message: string }[];
      };
      assert.equal(result.imported, 1);
      assert.equal(result.errors[0]?.line, 2);
      const rows = await s.db.selectFrom('subscribers').select('contact').execute();
      assert.deepEqual(
        rows.map((r) => r.contact),
        ['https://hooks.example.com/ok'],
      );
    } finally {
      await s.close();
    }
  });

  test(`a webhook from the form hears nothing but a signed challenge until it echoes it [${dialect.name}]`, async () => {
    // One receiver echoes the challenge as Slack's url_verification expects; the other just says ok.
    const echo = await startReceiver((r) => {
      const body = JSON.parse(r.body) as { type?: string; challenge?: string };
      return body.type === 'subscription.verification'
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ challenge: body.challenge }),
          }
        : { status: 204 };
    });
    const silent = await startReceiver();
    const s = await start(dialect, { CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
    try {
      for (const url of [`${echo.url}/hook`, `${silent.url}/hook`]) {
        const res = await s.inject({ method: 'POST', url: '/subscribe', payload: { webhook: url } });
        assert.equal(res.statusCode, 202, res.body);
      }
      await waitFor(() => echo.requests.length >= 1 && silent.requests.length >= 1, 10_000, 'two challenges');
      const rows = await s.db
        .selectFrom('subscribers')
        .select(['contact', 'secret', 'confirm_token'])
        .execute();
      const secretOf = (url: string) => rows.find((r) => r.contact === url)?.secret ?? '';
      const challenge = echo.requests[0];
      assert.ok(challenge);
      assert.equal(challenge.method, 'POST');
      assert.equal(challenge.headers['content-type'], 'application/json');
      assert.ok(signedBy(secretOf(`${echo.url}/hook`), challenge), 'signed with the secret it hands over');
      const body = JSON.parse(challenge.body) as {
        type: string;
        challenge: string;
        subscription: { status: string; secret: string; confirm_url: string };
        meta: { unsubscribe: string; documentation: string };
      };
      assert.equal(body.type, 'subscription.verification');
      assert.ok(body.challenge.length >= 32);
      assert.equal(body.subscription.secret, secretOf(`${echo.url}/hook`));
      assert.equal(body.subscription.status, 'pending');
      assert.equal(body.subscription.confirm_url, `https://status.crier.test/confirm/${body.challenge}`);
      assert.equal(body.meta.documentation, 'https://status.crier.test/docs/webhooks');
      // The page it names exists, in the status page's look, and tells a receiver what the message asked.
      const docs = await s.inject({ method: 'GET', url: new URL(body.meta.documentation).pathname });
      assert.equal(docs.statusCode, 200);
      assert.match(docs.headers['content-type'] ?? '', /text\/html/);
      for (const needed of [
        'subscription.verification',
        'webhook-signature',
        'whsec_',
        'confirm_url',
        '410',
      ]) {
        assert.ok(docs.body.includes(needed), `the page explains ${needed}`);
      }

      await waitFor(
        async () =>
          (
            await s.db
              .selectFrom('subscribers')
              .select('state')
              .where('contact', '=', `${echo.url}/hook`)
              .executeTakeFirst()
          )?.state === 'confirmed',
        10_000,
        'the echoing webhook confirmed',
      );
      const silentRow = await s.db
        .selectFrom('subscribers')
        .select('state')
        .where('contact', '=', `${silent.url}/hook`)
        .executeTakeFirstOrThrow();
      assert.equal(silentRow.state, 'pending', 'a 200 without the challenge is not an answer');
      await waitFor(
        async () =>
          (
            await s.db
              .selectFrom('deliveries')
              .select('state')
              .where('subject_type', '=', 'verification')
              .execute()
          ).filter((d) => d.state === 'dead').length === 1,
        10_000,
        'the unanswered challenge given up',
      );
      const audit = await s.db
        .selectFrom('audit_log')
        .select(['action', 'after'])
        .where('action', '=', 'subscriber.confirm')
        .execute();
      assert.equal(audit.length, 1);
      assert.match(audit[0]?.after ?? '', /webhook-challenge/);

      const declared = await s.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: s.auth,
        payload: {
          name: 'Checkout errors',
          severity: 'SEV3',
          body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
        },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      await waitFor(() => echo.requests.length >= 2, 10_000, 'the incident at the verified webhook');
      assert.ok('incident' in (JSON.parse(echo.requests[1]?.body ?? '{}') as object));
      // Give the unverified one every chance to be (wrongly) sent to.
      await waitFor(
        async () =>
          (await s.db.selectFrom('outbox_jobs').select('state').execute()).every((j) => j.state === 'done'),
        10_000,
        'the fan-out done',
      );
      assert.equal(silent.requests.length, 1, 'the unverified webhook heard only its challenge');
    } finally {
      await s.close();
      await echo.close();
      await silent.close();
    }
  });

  test(`a chat room from the form gets one message with a link, and events once someone confirms [${dialect.name}]`, async () => {
    const room = await startReceiver();
    const s = await start(dialect, { CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
    try {
      const res = await s.inject({
        method: 'POST',
        url: '/subscribe',
        payload: { slack: `${room.url}/slack` },
      });
      assert.equal(res.statusCode, 202, res.body);
      await waitFor(() => room.requests.length >= 1, 10_000, 'the confirmation in the room');
      const message = JSON.parse(room.requests[0]?.body ?? '{}') as { text: string; blocks: unknown[] };
      const link = /https:\/\/status\.crier\.test(\/confirm\/[A-Za-z0-9_-]+)/.exec(
        JSON.stringify(message.blocks),
      )?.[1];
      assert.ok(link, JSON.stringify(message));
      assert.match(message.text, /Confirm your subscription/);

      const incident = async (name: string) => {
        const declared = await s.inject({
          method: 'POST',
          url: '/api/v1/incidents',
          headers: s.auth,
          payload: {
            name,
            severity: 'SEV3',
            body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
          },
        });
        assert.equal(declared.statusCode, 201, declared.body);
        await waitFor(
          async () =>
            (await s.db.selectFrom('outbox_jobs').select('state').execute()).every((j) => j.state === 'done'),
          10_000,
          'the fan-out done',
        );
      };
      await incident('Before anyone confirmed');
      assert.equal(room.requests.length, 1, 'nothing but the confirmation before someone confirms');

      // The link confirms: by its page's button (a POST) where the page has one, else by opening it.
      const posted = await s.inject({
        method: 'POST',
        url: link,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: '',
      });
      const opened = posted.statusCode === 404 ? await s.inject({ method: 'GET', url: link }) : posted;
      assert.equal(opened.statusCode, 200, opened.body);
      await incident('After someone confirmed');
      await waitFor(() => room.requests.length >= 2, 10_000, 'the incident in the room');
      assert.match(room.requests[1]?.body ?? '', /After someone confirmed/);
    } finally {
      await s.close();
      await room.close();
    }
  });

  test(`staff are trusted unless they ask: the admin API adds a webhook confirmed, or verifies it on request [${dialect.name}]`, async () => {
    const hook = await startReceiver();
    const s = await start(dialect, { CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
    try {
      const trusted = await s.inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: s.auth,
        payload: { webhook: `${hook.url}/trusted` },
      });
      assert.equal(JSON.parse(trusted.body).state, 'confirmed');
      const checked = await s.inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: s.auth,
        payload: { webhook: `${hook.url}/checked`, confirm: true },
      });
      assert.equal(JSON.parse(checked.body).state, 'pending');
      await waitFor(() => hook.requests.length >= 1, 10_000, 'the challenge');
      assert.equal(hook.requests[0]?.url, '/checked');
      assert.match(hook.requests[0]?.body ?? '', /subscription\.verification/);
    } finally {
      await s.close();
      await hook.close();
    }
  });
}
