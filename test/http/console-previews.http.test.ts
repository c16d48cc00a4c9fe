/**
 * Live previews of words not stored yet, through HTTP on both databases:
 * the declare form's first update (the scenario's template when no words
 * are typed) and the new-draft form's draft, each with lint and every
 * channel, as escaped HTML; nothing is stored, audited or queued. Refused
 * like the verbs they preview: the role, the origin, a move the incident
 * cannot make.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: UTC }
roles:
  comms_lead: { rota: [carol@acme.test] }
severities:
  SEV1: { external_cadence: 30m, approval: comms_lead, audiences: [public] }
audiences:
  public: { channels: [status-page, sms, webhook] }
channels:
  sms: { type: sms-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550100" }
  webhook: { type: webhook }
scenarios:
  payments-down:
    severity: SEV1
    impact: major
    customer_impact: Card payments fail for some customers.
    templates:
      investigating: |
        We are investigating failed card payments. {{ impact }}
        Next update by {{ next_update_at }}.
      resolved: Card payments work normally again for all customers.
`;

for (const dialect of dialects) {
  test(`previews of the declare and new-draft forms: as the verb would write them, nothing kept [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
      const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    const counts = async () => {
      const db = t.app.db;
      const n = async (table: 'incidents' | 'incident_updates' | 'audit_log' | 'outbox_jobs') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        incidents: await n('incidents'),
        updates: await n('incident_updates'),
        audit: await n('audit_log'),
        jobs: await n('outbox_jobs'),
      };
    };
    try {
      await api('PUT', '/api/v1/plan', { source: plan });
      const component = (await api('POST', '/api/v1/components', { name: 'Payments API' })).id as string;
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const viewer = await signedIn(t, 'val@acme.test', 'viewer');
      const before = await counts();

      // The Now page's declare form names its preview.
      const now = (await inject({ method: 'GET', url: '/console', headers: { cookie: lead } })).body;
      assert.match(now, /data-preview="\/console\/incidents\/preview" data-preview-into="declare-preview"/);
      assert.match(now, /<section id="declare-preview"[^>]*data-preview-slot hidden>/);

      // No words typed: the scenario's template, rendered for the chosen components, linted, per channel.
      const fromScenario = await inject(
        form(lead, '/console/incidents/preview', {
          name: 'Payments <b>down</b>',
          scenario: 'payments-down',
          component,
          component_status: 'major_outage',
        }),
      );
      assert.equal(fromScenario.statusCode, 200, fromScenario.body);
      assert.match(fromScenario.body, /Lint finds nothing to change\./);
      assert.match(
        fromScenario.body,
        /We are investigating failed card payments\. Card payments fail for some customers\./,
      );
      assert.doesNotMatch(fromScenario.body, /\{\{/, 'the next update is written in');
      assert.match(fromScenario.body, /segments \(\d+ characters, GSM-7\)/);
      assert.match(fromScenario.body, /&quot;name&quot;: &quot;Payments &lt;b&gt;down&lt;\/b&gt;&quot;/);
      assert.doesNotMatch(fromScenario.body, /<b>down/);

      // Typed words: lint's findings with their reasons.
      const vague = await inject(
        form(lead, '/console/incidents/preview', {
          name: '',
          severity: 'SEV1',
          body: 'We are looking into it',
        }),
      );
      assert.equal(vague.statusCode, 200, vague.body);
      assert.match(vague.body, /Lint: \d+ to change/);
      assert.match(vague.body, /does not say what customers experience/);
      assert.deepEqual(await counts(), before, 'nothing declared, audited or queued');

      // Refused as declaring would be: the role, another site, a scenario the plan lacks.
      assert.equal((await inject(form(viewer, '/console/incidents/preview', { name: 'x' }))).statusCode, 403);
      const foreign = form(lead, '/console/incidents/preview', { name: 'x' });
      const csrf = await inject({
        ...foreign,
        headers: { ...foreign.headers, origin: 'https://evil.example' },
      });
      assert.equal(csrf.statusCode, 403);
      const unknown = await inject(form(lead, '/console/incidents/preview', { name: 'x', scenario: 'nope' }));
      assert.ok(unknown.statusCode >= 400 && unknown.statusCode < 500, unknown.body);
      assert.match(unknown.body, /<p class="notice error" role="alert">/);

      // The new-draft form: the status's template when blank, as createDraft would write it.
      const declared = await api('POST', '/api/v1/incidents', {
        name: 'Payments down',
        scenario: 'payments-down',
      });
      const id = declared.id as string;
      const page = (
        await inject({ method: 'GET', url: `/console/incidents/${id}`, headers: { cookie: lead } })
      ).body;
      assert.match(
        page,
        new RegExp(
          `data-preview="/console/incidents/${id}/drafts/preview" data-preview-into="draft-preview"`,
        ),
      );
      const middle = await counts();
      const resolved = await inject(
        form(lead, `/console/incidents/${id}/drafts/preview`, { audience: 'public', status: 'resolved' }),
      );
      assert.equal(resolved.statusCode, 200, resolved.body);
      assert.match(resolved.body, /Card payments work normally again for all customers\./);
      const typed = await inject(
        form(lead, `/console/incidents/${id}/drafts/preview`, {
          audience: 'public',
          status: 'identified',
          body: 'We found it 🙁',
        }),
      );
      assert.match(typed.body, /UCS-2/);
      assert.match(typed.body, /Lint: \d+ to change/);
      assert.deepEqual(await counts(), middle, 'no draft kept');
      assert.equal((await inject(form(viewer, `/console/incidents/${id}/drafts/preview`))).statusCode, 403);
      const missing = await inject(
        form(lead, '/console/incidents/nope/drafts/preview', { status: 'resolved' }),
      );
      assert.equal(missing.statusCode, 404);
    } finally {
      await t.close();
    }
  });
}
