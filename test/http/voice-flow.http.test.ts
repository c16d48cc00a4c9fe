/**
 * Voice subscribers, the whole path on real things: `/subscribe` takes a
 * number to call, confirmed by the link in a text message to that number
 * (through the Twilio stand-in); an update published through the API then
 * calls it with the documented Calls request. A bad number, or voice where
 * no text message can confirm it, is a clear error that stores nothing.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const account = 'AC00000000000000000000000000000001';

for (const dialect of dialects) {
  test(`a voice subscriber confirms by text message and is called with each update [${dialect.name}]`, async () => {
    const twilio = await startReceiver((r) => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: r.url.endsWith('/Calls.json') ? 'CA0001' : 'SM0001', status: 'queued' }),
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-voice-'));
    const plan = path.join(dir, 'crier.yaml');
    fs.writeFileSync(
      plan,
      `version: 1
page: { name: Voice Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sms, voice] }
  oncall: { channels: [voice] }
channels:
  sms: { type: sms-twilio, account: env:TWILIO_SID, token: env:TWILIO_TOKEN, from: "+15550100", endpoint: ${twilio.url} }
  voice: { type: voice-twilio, account: env:TWILIO_SID, token: env:TWILIO_TOKEN, from: "+15550199", endpoint: ${twilio.url} }
`,
    );
    const t = await openTestDb(dialect).catch(async (err: unknown) => {
      await twilio.close();
      throw err;
    });
    let app: Awaited<ReturnType<typeof createApp>> | undefined;
    const config = testConfig({
      CRIER_PLAN: plan,
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_PUBLIC_URL: 'https://status.crier.test',
      CRIER_WORKER_POLL_MS: '50',
      TWILIO_SID: account,
      TWILIO_TOKEN: 'twilio-auth-token',
    });
    try {
      app = await createApp(config, { db: t.db, timers: false, worker: true, log: silentLog });
      const admin = (await createToken(testCtx(t.db), { name: 'voice', role: 'admin' })).token;
      const auth = { authorization: `Bearer ${admin}` };
      const inject = app.server.inject.bind(app.server);
      const count = async () => (await t.db.selectFrom('subscribers').selectAll().execute()).length;

      const form = await inject({ method: 'GET', url: '/subscribe' });
      assert.match(form.body, /name="voice" type="tel"/);

      const bad = await inject({ method: 'POST', url: '/subscribe', payload: { voice: '<b>12</b>' } });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.equal(JSON.parse(bad.body).error.code, 'validation_failed');
      assert.match(bad.body, /voice: is not a valid phone number/);
      assert.doesNotMatch(bad.body, /<b>/);
      // The oncall audience hears by voice only: no text message could confirm the number.
      const unconfirmable = await inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: auth,
        payload: { voice: '+14155550111', audience: 'oncall', confirm: true },
      });
      assert.equal(JSON.parse(unconfirmable.body).error?.code, 'channel_not_offered', unconfirmable.body);
      assert.equal(await count(), 0, 'nothing stored');

      const signup = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { voice: '+1 415 555 0100' },
      });
      assert.equal(signup.statusCode, 202, signup.body);
      await waitFor(() => twilio.requests.length >= 1, 15_000, 'the confirmation text');
      const text = twilio.requests[0];
      assert.ok(text);
      assert.equal(text.url, `/2010-04-01/Accounts/${account}/Messages.json`);
      const sms = new URLSearchParams(text.body);
      assert.equal(sms.get('To'), '+14155550100');
      const link = /https:\/\/status\.crier\.test(\/confirm\/[A-Za-z0-9_-]+)/.exec(
        sms.get('Body') ?? '',
      )?.[1];
      assert.ok(link, sms.get('Body') ?? '');
      assert.equal((await inject({ method: 'POST', url: link })).statusCode, 200);
      const row = await t.db.selectFrom('subscribers').selectAll().executeTakeFirstOrThrow();
      assert.deepEqual([row.kind, row.contact, row.state], ['voice', '+14155550100', 'confirmed']);

      const added = await inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: auth,
        payload: { voice: '+14155550122', audience: 'oncall' },
      });
      assert.equal(added.statusCode, 201, added.body);
      const view = JSON.parse(added.body) as Record<string, unknown>;
      assert.deepEqual(
        [view.kind, view.mode, view.phone_number, view.endpoint, view.state],
        ['voice', 'voice', '+14155550122', null, 'confirmed'],
      );

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
      const calls = () => twilio.requests.filter((r) => r.url.endsWith('/Calls.json'));
      await waitFor(() => calls().length >= 1, 15_000, 'the call');
      await outboxDrained(t.db);
      assert.equal(calls().length, 1, 'the public subscriber only: the incident is for public');
      const call = calls()[0];
      assert.ok(call);
      assert.equal(call.method, 'POST');
      assert.equal(call.url, `/2010-04-01/Accounts/${account}/Calls.json`);
      assert.equal(
        call.headers.authorization,
        `Basic ${Buffer.from(`${account}:twilio-auth-token`).toString('base64')}`,
      );
      const body = new URLSearchParams(call.body);
      assert.deepEqual([...body.keys()], ['To', 'From', 'Twiml']);
      assert.equal(body.get('To'), '+14155550100');
      assert.equal(body.get('From'), '+15550199');
      const twiml = body.get('Twiml') ?? '';
      assert.match(twiml, /^<\?xml version="1\.0" encoding="UTF-8"\?><Response><Say language="en-US">/);
      assert.equal((twiml.match(/Card payments fail for some customers\./g) ?? []).length, 2, twiml);
      assert.match(
        twiml,
        /<Gather numDigits="1"[^>]*><Say language="en-US">Press 1 to hear it again\.<\/Say><\/Gather>/,
      );
      const delivery = await t.db
        .selectFrom('deliveries')
        .select(['state', 'provider_id'])
        .where('channel', '=', 'voice')
        .executeTakeFirstOrThrow();
      assert.deepEqual([delivery.state, delivery.provider_id], ['sent', 'CA0001']);

      // Erasing a number erases its voice subscriptions too.
      const forgot = await inject({
        method: 'POST',
        url: '/api/v1/subscribers/forget',
        headers: auth,
        payload: { contact: '+1 415 555 0100' },
      });
      assert.equal(forgot.statusCode, 200, forgot.body);
      assert.equal(JSON.parse(forgot.body).subscribers, 1);
      const left = await t.db.selectFrom('subscribers').select('contact').execute();
      assert.deepEqual(
        left.map((r) => r.contact),
        ['+14155550122'],
      );
    } finally {
      await app?.close();
      await t.close();
      await twilio.close();
    }
  });
}
