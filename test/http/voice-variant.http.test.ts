/**
 * A scenario's `voice` text, end to end: a voice subscriber is called with
 * it (in their language where the update has it), a scenario without one
 * calls with its SMS text, and the update's preview shows the call's text
 * with how long it takes to say.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects, TestClock } from '../helpers/db.ts';
import { startPlanApp } from '../helpers/plan-app.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const account = 'AC00000000000000000000000000000002';

const plan = (twilio: string) => `version: 1
page: { name: Voice Test, url: https://status.crier.test, time_zone: UTC, language: en, languages: [fr] }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sms, voice] }
channels:
  sms: { type: sms-twilio, account: ${account}, token: twilio-token, from: "+15550100", endpoint: ${twilio} }
  voice: { type: voice-twilio, account: ${account}, token: twilio-token, from: "+15550199", endpoint: ${twilio} }
scenarios:
  payments:
    templates:
      investigating:
        text: "Card payments fail for some customers. See the status page for details. Next update by {{ next_update_at | time }}."
        sms: "Card payments fail. Next update by {{ next_update_at | time }}."
        voice: "Card payments fail for some customers. Please pay by bank transfer for now. Next update by {{ next_update_at | time }}."
      resolved: "Card payments work again for all customers."
    translations:
      fr:
        investigating:
          text: "Les paiements par carte échouent pour certains clients. Prochain point à {{ next_update_at | time }}."
          voice: "Les paiements par carte échouent. Payez par virement pour le moment. Prochain point à {{ next_update_at | time }}."
        resolved: "Les paiements par carte fonctionnent de nouveau pour tous les clients."
  login:
    templates:
      investigating:
        text: "Sign-in fails for some customers. See the status page for details. Next update by {{ next_update_at | time }}."
        sms: "Sign-in fails for some customers. Next update by {{ next_update_at | time }}."
      resolved: "Sign-in works again for all customers."
    translations:
      fr:
        investigating: "La connexion échoue pour certains clients. Prochain point à {{ next_update_at | time }}."
        resolved: "La connexion fonctionne de nouveau pour tous les clients."
`;

interface Preview {
  channels: {
    channel: string;
    kind: string;
    source: string;
    text: string;
    unit: string;
    seconds: number | null;
    limit: number | null;
    fits: boolean;
  }[];
}

for (const dialect of dialects) {
  test(`a call says the voice text, in the subscriber's language, else the SMS text [${dialect.name}]`, async () => {
    const twilio = await startReceiver((r) => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: r.url.endsWith('/Calls.json') ? 'CA0001' : 'SM0001', status: 'queued' }),
    }));
    const stand = await startPlanApp(dialect, {
      channels: '',
      audiences: {},
      plan: plan(twilio.url),
      // In the morning: the next update is due the same day, so its time is said without a date.
      clock: new TestClock('2026-01-15T10:00:00.000Z'),
      env: { CRIER_ALLOW_PRIVATE_NETWORK: 'true' },
    }).catch(async (err: unknown) => {
      await twilio.close();
      throw err;
    });
    const { app, auth } = stand;
    const inject = app.server.inject.bind(app.server);
    try {
      for (const [voice, locale] of [
        ['+14155550100', 'en'],
        ['+33612345678', 'fr'],
      ] as const) {
        const added = await inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: auth,
          payload: { voice, locale },
        });
        assert.equal(added.statusCode, 201, added.body);
      }
      const calls = () => twilio.requests.filter((r) => r.url.endsWith('/Calls.json'));
      const said = (to: string) => {
        const call = calls().find((r) => new URLSearchParams(r.body).get('To') === to);
        assert.ok(call, `a call to ${to}`);
        assert.equal(call.url, `/2010-04-01/Accounts/${account}/Calls.json`);
        assert.equal(
          call.headers.authorization,
          `Basic ${Buffer.from(`${account}:twilio-token`).toString('base64')}`,
        );
        return new URLSearchParams(call.body).get('Twiml') ?? '';
      };

      const declared = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth,
        payload: { name: 'Card payments', severity: 'SEV3', scenario: 'payments' },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const incident = JSON.parse(declared.body) as { id: string; incident_updates: { id: string }[] };
      const updateId = incident.incident_updates[0]?.id ?? '';
      await stand.settled(updateId);
      assert.equal(calls().length, 2);
      const english = said('+14155550100');
      assert.equal((english.match(/Please pay by bank transfer for now\./g) ?? []).length, 2, english);
      assert.doesNotMatch(english, /See the status page/);
      const french = said('+33612345678');
      assert.match(french, /<Say language="fr-FR">[^<]*Payez par virement pour le moment\./);

      const preview = await inject({
        method: 'GET',
        url: `/api/v1/incidents/${incident.id}/updates/${updateId}/preview`,
        headers: auth,
      });
      assert.equal(preview.statusCode, 200, preview.body);
      const channels = (JSON.parse(preview.body) as Preview).channels;
      const call = channels.find((c) => c.channel === 'voice');
      assert.ok(call);
      assert.equal(call.kind, 'voice');
      assert.equal(call.source, 'voice');
      assert.match(call.text, /^Card payments fail for some customers\. Please pay by bank transfer/);
      assert.equal(call.unit, 'seconds');
      assert.equal(call.limit, 45);
      assert.equal(call.fits, true);
      // 20 words at 150 a minute.
      assert.equal(call.seconds, 8);
      const text = channels.find((c) => c.channel === 'sms');
      assert.deepEqual([text?.unit, text?.seconds], ['segments', null]);
      const inFrench = await inject({
        method: 'GET',
        url: `/api/v1/incidents/${incident.id}/updates/${updateId}/preview?language=fr`,
        headers: auth,
      });
      const frenchCall = (JSON.parse(inFrench.body) as Preview).channels.find((c) => c.channel === 'voice');
      assert.match(frenchCall?.text ?? '', /^Les paiements par carte échouent\. Payez par virement/);
      assert.equal(frenchCall?.seconds, 7);

      // A scenario without a voice text: the call says its SMS text.
      const login = await inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: auth,
        payload: { name: 'Sign-in', severity: 'SEV3', scenario: 'login' },
      });
      assert.equal(login.statusCode, 201, login.body);
      await waitFor(() => calls().length >= 4, 15_000, 'the second incident calls');
      const fallback = calls()
        .slice(2)
        .map((r) => new URLSearchParams(r.body))
        .find((f) => f.get('To') === '+14155550100');
      assert.match(fallback?.get('Twiml') ?? '', /Sign-in fails for some customers\. Next update by/);
      assert.doesNotMatch(fallback?.get('Twiml') ?? '', /See the status page/);
    } finally {
      await stand.close();
      await twilio.close();
    }
  });
}
