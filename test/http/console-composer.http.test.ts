/**
 * The war room's composer through HTTP, on both databases: the words being
 * typed are previewed per channel (email subject, SMS segments and
 * encoding, a call's seconds to say, a webhook's JSON) with lint and each finding's reason, as
 * escaped HTML, and nothing is saved; bad words are refused with a reason.
 * Only the comms lead is offered sending despite lint. The API previews
 * typed words the same way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, origin, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: UTC }
roles:
  comms_lead: { rota: [carol@acme.test] }
severities:
  SEV1: { external_cadence: 30m, approval: comms_lead, audiences: [public] }
audiences:
  public: { channels: [status-page, email, sms, voice, webhook] }
channels:
  email: { type: email-smtp, url: "smtp://127.0.0.1:1/?tls=false", from: status@acme.test }
  sms: { type: sms-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550100" }
  voice: { type: voice-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550100" }
  webhook: { type: webhook }
`;

const good =
  'Card payments fail for some customers in Payments API; we are restoring the service. ' +
  'Next update by {{ next_update_at }}.';

for (const dialect of dialects) {
  test(`composer: live preview per channel with lint, nothing saved; override offered to the comms lead [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    try {
      const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
        const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
        return res.json() as Record<string, unknown>;
      };
      await api('PUT', '/api/v1/plan', { source: plan });
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const carol = await signedIn(t, 'carol@acme.test', 'comms_lead');
      const declared = await inject(
        form(lead, '/console/incidents', { name: 'Card payments fail', severity: 'SEV1', body: good }),
      );
      assert.equal(declared.statusCode, 303, declared.body);
      const id = String(declared.headers.location).split('/')[3]?.split('?')[0] as string;
      const [draft] = (await api('GET', `/api/v1/incidents/${id}`)).incident_updates as {
        id: string;
        body: string;
      }[];
      assert.ok(draft);
      const url = `/console/incidents/${id}/updates/${draft.id}/preview`;

      // The page: the message box names its preview, which shows lint's verdict and each channel.
      const page = (
        await inject({ method: 'GET', url: `/console/incidents/${id}`, headers: { cookie: lead } })
      ).body;
      assert.match(page, new RegExp(`data-preview="${url}" data-preview-into="preview-${draft.id}"`));
      assert.match(
        page,
        /<section id="preview-[^"]+" class="composer" aria-live="polite"[^>]*>.*Lint finds nothing to change/s,
      );

      // Vague words with markup, typed: lint says what to change, every channel shows them as text.
      const typed = await inject(form(lead, url, { body: 'We are looking into <b>it</b> 🙁' }));
      assert.equal(typed.statusCode, 200, typed.body);
      assert.equal(typed.headers['cache-control'], 'no-store');
      assert.match(typed.body, /<strong>Lint: \d+ to change<\/strong>/);
      assert.match(
        typed.body,
        /<span class="badge">No impact<\/span> The message does not say what customers experience/,
      );
      assert.match(typed.body, /<span class="badge">No next update<\/span>/);
      assert.doesNotMatch(typed.body, /<b>/);
      assert.match(typed.body, /<pre class="preview">We are looking into &lt;b&gt;it&lt;\/b&gt; 🙁<\/pre>/);
      assert.match(typed.body, /<strong>Subject:<\/strong> Card payments fail: Investigating/);
      assert.match(typed.body, /1 of 3 segments \(31 characters, UCS-2\)/);
      // A call: how long it takes to say, 7 words at 150 a minute.
      assert.match(typed.body, /about 3 of 45 seconds to say \(31 characters\)/);
      assert.match(
        typed.body,
        /<strong>JSON body<\/strong><\/p><pre class="preview">\{\n {2}&quot;page&quot;/,
      );
      assert.match(typed.body, /&quot;body&quot;: &quot;We are looking into &lt;b&gt;it&lt;\/b&gt; 🙁&quot;/);
      // Plain words: GSM-7, and the next update's time written in as it would go out.
      const plain = await inject(form(lead, url, { body: good }));
      assert.match(plain.body, /Lint finds nothing to change/);
      assert.match(plain.body, /1 of 3 segments \(\d+ characters, GSM-7\)/);
      assert.doesNotMatch(plain.body, /next_update_at/);

      // Nothing was saved, and nothing was recorded.
      const after = (await api('GET', `/api/v1/incidents/${id}`)).incident_updates as { body: string }[];
      assert.equal(after[0]?.body, draft.body);
      const edits = (await api('GET', '/api/v1/audit?action=incident_update.edit_draft')) as unknown;
      assert.deepEqual(edits, []);

      // Bad input: a clear refusal as a fragment; no session: sign in; another origin: refused.
      const blank = await inject(form(lead, url, { body: '   ' }));
      assert.equal(blank.statusCode, 400);
      assert.match(blank.body, /^<p class="notice error" role="alert">/);
      const missing = await inject(
        form(lead, `/console/incidents/${id}/updates/nope/preview`, { body: good }),
      );
      assert.equal(missing.statusCode, 404);
      const anonymous = await inject({
        ...form('', url, { body: good }),
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(anonymous.statusCode, 303);
      const foreign = await inject({
        ...form(lead, url, { body: good }),
        headers: {
          cookie: lead,
          origin: 'https://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
      });
      assert.equal(foreign.statusCode, 403);

      // Saved vague words: the incident lead is told who may send them anyway; the comms lead is asked why.
      const saved = await inject(
        form(lead, `/console/incidents/${id}/updates/${draft.id}/edit`, { body: 'We are looking into it.' }),
      );
      assert.equal(saved.statusCode, 303, saved.body);
      const leadPage = (
        await inject({ method: 'GET', url: `/console/incidents/${id}`, headers: { cookie: lead } })
      ).body;
      assert.doesNotMatch(leadPage, /name="lint_override"/);
      assert.match(leadPage, /Lint must pass, or the comms lead sends it anyway with a reason\./);
      const carolPage = (
        await inject({ method: 'GET', url: `/console/incidents/${id}`, headers: { cookie: carol } })
      ).body;
      assert.match(carolPage, /Reason to send despite lint .*<input name="lint_override"/);
      const sent = await inject(
        form(carol, `/console/incidents/${id}/updates/${draft.id}/submit`, {
          lint_override: 'Customers need word now.',
        }),
      );
      assert.equal(sent.statusCode, 303, sent.body);
      assert.match(
        (await inject({ method: 'GET', url: `/console/incidents/${id}`, headers: { cookie: carol } })).body,
        /Sent despite lint by user:carol@acme.test: <q>Customers need word now\.<\/q>/,
      );

      // The API previews typed words the same way.
      const viaApi = await inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates/${draft.id}/preview`,
        headers: t.auth('admin'),
        payload: { body: good },
      });
      assert.equal(viaApi.statusCode, 200, viaApi.body);
      const json = viaApi.json() as { lint: unknown[]; channels: { kind: string; payload: string | null }[] };
      assert.deepEqual(json.lint, []);
      const hook = json.channels.find((c) => c.kind === 'webhook');
      assert.equal(
        (
          JSON.parse(hook?.payload ?? '{}') as { incident: { incident_updates: { body: string }[] } }
        ).incident.incident_updates[0]?.body.startsWith('Card payments fail'),
        true,
      );
    } finally {
      await t.close();
    }
  });
}
