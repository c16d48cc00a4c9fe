/**
 * The whole path, on real things: a subscriber signs up and confirms by the
 * link in a real email; an update published through the API reaches a real
 * SMTP server, a webhook receiver (signature valid), and the stand-ins for
 * Twilio, Slack, Teams and Discord, each exactly once; the one-click
 * unsubscribe from the received email works.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

for (const dialect of dialects) {
  test(`an update published through the API reaches every channel once [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const hooks = await startReceiver();
    const twilio = await startReceiver(() => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-flow-'));
    const plan = path.join(dir, 'crier.yaml');
    fs.writeFileSync(
      plan,
      `version: 1
page: { name: Flow Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email, sms, webhook, slack, teams, discord] }
channels:
  webhook: { type: webhook }
  slack: { type: slack }
  teams: { type: teams }
  discord: { type: discord }
  email:
    type: email-smtp
    url: env:SMTP_URL
    from: status@crier.test
  sms:
    type: sms-twilio
    account: env:TWILIO_SID
    token: env:TWILIO_TOKEN
    from: "+15550100"
    endpoint: ${twilio.url}
`,
    );
    const t = await openTestDb(dialect).catch(async (err: unknown) => {
      await Promise.all([smtp.close(), hooks.close(), twilio.close()]);
      throw err;
    });
    let app: Awaited<ReturnType<typeof createApp>> | undefined;
    const config = testConfig({
      CRIER_PLAN: plan,
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_PUBLIC_URL: 'https://status.crier.test',
      CRIER_WORKER_POLL_MS: '50',
      SMTP_URL: smtp.url,
      TWILIO_SID: 'AC00000000000000000000000000000001',
      TWILIO_TOKEN: 'twilio-auth-token',
    });
    try {
      app = await createApp(config, { db: t.db, timers: false, worker: true, log: silentLog });
      const admin = (await createToken(testCtx(t.db), { name: 'flow', role: 'admin' })).token;
      const auth = { authorization: `Bearer ${admin}` };
      const inject = app.server.inject.bind(app.server);

      // Self-service with double opt-in: only the confirmation goes out until the link is followed.
      const form = await inject({ method: 'GET', url: '/subscribe' });
      assert.equal(form.statusCode, 200, form.body);
      assert.match(form.body, /name="email"/);
      assert.match(form.body, /name="phone"/);
      const signup = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { email: 'Ann@Example.com' },
      });
      assert.equal(signup.statusCode, 202);
      const again = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { email: 'ann@example.com' },
      });
      assert.equal(again.body, signup.body, 'the same answer whether or not the contact is known');
      await waitFor(() => smtp.mails.length >= 2, 10_000, 'the confirmation emails');
      assert.equal(smtp.mails[0]?.text, smtp.mails[1]?.text, 'asking twice re-sends the same link');
      const confirmation = smtp.mails[0];
      assert.ok(confirmation);
      const link = /https:\/\/status\.crier\.test(\/confirm\/[A-Za-z0-9_-]+)/.exec(confirmation.text)?.[1];
      assert.ok(link, confirmation.text);
      const opened = await inject({ method: 'GET', url: link });
      assert.match(opened.body, /Confirm my subscription/, 'the link opens a page with the button');
      const confirmed = await inject({ method: 'POST', url: link });
      assert.equal(confirmed.statusCode, 200, `${link} ${confirmed.body}`);

      for (const body of [
        { phone: '+1 415 555 0100' },
        { webhook: `${hooks.url}/webhook` },
        { slack: `${hooks.url}/slack` },
        { teams: `${hooks.url}/teams` },
        { discord: `${hooks.url}/discord` },
      ]) {
        const res = await inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: auth,
          payload: body,
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const webhookSecret = (
        JSON.parse(
          (await inject({ method: 'GET', url: '/api/v1/subscribers?kind=webhook', headers: auth })).body,
        ) as { id: string }[]
      )[0];
      assert.ok(webhookSecret);

      const declared = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth,
        payload: {
          name: 'Checkout errors',
          severity: 'SEV3',
          body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
        },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const incident = JSON.parse(declared.body) as { id: string; incident_updates: { id: string }[] };
      const updateId = incident.incident_updates[0]?.id ?? '';

      await waitFor(
        () => smtp.mails.length >= 3 && twilio.requests.length >= 1 && hooks.requests.length >= 4,
        15_000,
        'every channel',
      ).catch(async (err: unknown) => {
        const deliveries = await t.db
          .selectFrom('deliveries')
          .select(['channel', 'state', 'last_error', 'subject_type'])
          .execute();
        const jobs = await t.db
          .selectFrom('outbox_jobs')
          .select(['kind', 'state', 'last_error', 'payload'])
          .execute();
        throw new Error(
          `${String(err)}\n${JSON.stringify({ deliveries, jobs, body: declared.body }, null, 1)}`,
        );
      });
      await outboxDrained(t.db);
      assert.equal(smtp.mails.length, 3, 'two confirmations + the update');
      assert.equal(twilio.requests.length, 1);
      assert.deepEqual(hooks.requests.map((r) => r.url).sort(), ['/discord', '/slack', '/teams', '/webhook']);

      // Email: text, headers for one-click unsubscribe, a Message-ID from the delivery.
      const mail = smtp.mails[2];
      assert.ok(mail);
      assert.equal(mail.to[0]?.toLowerCase(), 'ann@example.com');
      assert.match(mail.headers.subject ?? '', /Checkout errors/);
      assert.match(mail.text, /Card payments fail/);
      assert.equal(mail.headers['list-unsubscribe-post'], 'List-Unsubscribe=One-Click');
      const unsubscribeUrl = /<https:\/\/status\.crier\.test(\/unsubscribe\/[^>]+)>/.exec(
        mail.headers['list-unsubscribe'] ?? '',
      )?.[1];
      assert.ok(unsubscribeUrl);
      // The delivery id: 12 characters for single messages, 22 for a fan-out's (a batch prefix and the row).
      assert.match(mail.headers['message-id'] ?? '', /^<([a-z0-9]{12}|[0-9a-f]{22})@crier\.test>$/);

      // Twilio: the documented request.
      const sms = twilio.requests[0];
      assert.ok(sms);
      assert.equal(sms.method, 'POST');
      assert.equal(sms.url, '/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json');
      assert.equal(sms.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(
        sms.headers.authorization,
        `Basic ${Buffer.from('AC00000000000000000000000000000001:twilio-auth-token').toString('base64')}`,
      );
      const form2 = new URLSearchParams(sms.body);
      assert.equal(form2.get('To'), '+14155550100');
      assert.equal(form2.get('From'), '+15550100');
      assert.match(form2.get('Body') ?? '', /Checkout errors/);

      // Chat payloads: Block Kit, an Adaptive Card, a Discord embed.
      const bodyOf = (p: string) =>
        JSON.parse(hooks.requests.find((r) => r.url === p)?.body ?? '{}') as Record<string, unknown>;
      assert.equal((bodyOf('/slack').blocks as { type: string }[])[0]?.type, 'header');
      const card = (bodyOf('/teams').attachments as { contentType: string; content: { type: string } }[])[0];
      assert.equal(card?.contentType, 'application/vnd.microsoft.card.adaptive');
      assert.equal(card?.content.type, 'AdaptiveCard');
      assert.match(String((bodyOf('/discord').embeds as { title: string }[])[0]?.title), /Checkout errors/);

      // The webhook is signed per Standard Webhooks with the subscriber's secret.
      const sub = JSON.parse(
        (await inject({ method: 'GET', url: `/api/v1/subscribers?kind=webhook`, headers: auth })).body,
      ) as { id: string }[];
      const row = await t.db
        .selectFrom('subscribers')
        .select('secret')
        .where('id', '=', sub[0]?.id ?? '')
        .executeTakeFirstOrThrow();
      const hook = hooks.requests.find((r) => r.url === '/webhook');
      assert.ok(hook && row.secret);
      const key = Buffer.from(row.secret.slice(6), 'base64');
      const signed = `${hook.headers['webhook-id']}.${hook.headers['webhook-timestamp']}.${hook.body}`;
      assert.equal(
        hook.headers['webhook-signature'],
        `v1,${createHmac('sha256', key).update(signed).digest('base64')}`,
      );

      // Counts per update, through the API.
      await waitFor(
        async () => {
          const res = await inject({
            method: 'GET',
            url: `/api/v1/incidents/${incident.id}/updates/${updateId}/deliveries`,
            headers: auth,
          });
          return (JSON.parse(res.body) as { by_state: { sent?: number } }).by_state.sent === 6;
        },
        5_000,
        'six sent',
      );

      // What `crier deliveries <update-id>` reads.
      const summary = JSON.parse(
        (
          await inject({
            method: 'GET',
            url: `/api/v1/deliveries/summary?update_id=${updateId}`,
            headers: auth,
          })
        ).body,
      ) as { fanout: string; total: number; by_channel: Record<string, Record<string, number>> };
      assert.equal(summary.fanout, 'done');
      assert.equal(summary.total, 6);
      assert.deepEqual(Object.keys(summary.by_channel).sort(), [
        'discord',
        'email',
        'slack',
        'sms',
        'teams',
        'webhook',
      ]);
      const unknown = await inject({
        method: 'GET',
        url: '/api/v1/deliveries/summary?update_id=no-such-update',
        headers: auth,
      });
      assert.equal(unknown.statusCode, 404, unknown.body);
      assert.equal(JSON.parse(unknown.body).error.code, 'update_not_found');

      // One-click unsubscribe, as a mail client does it (RFC 8058).
      const oneClick = await inject({
        method: 'POST',
        url: unsubscribeUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      assert.equal(oneClick.statusCode, 200);
      const ann = await t.db
        .selectFrom('subscribers')
        .select('state')
        .where('kind', '=', 'email')
        .executeTakeFirstOrThrow();
      assert.equal(ann.state, 'unsubscribed');

      const metrics = await inject({ method: 'GET', url: '/metrics' });
      assert.match(metrics.body, /crier_deliveries_sent_total\{channel="email"\} 3/);
      assert.match(metrics.body, /crier_delivery_attempts_total\{channel="email",outcome="sent"\} 3/);
    } finally {
      await app?.close();
      await t.close();
      await smtp.close();
      await hooks.close();
      await twilio.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
