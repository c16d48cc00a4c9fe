/**
 * The SEV1 path end to end, with the real worker and a real HTTP receiver
 * standing in for the internal Slack room and a customer's webhook: declared
 * from a scenario, a draft from its template, pending approval, rejected
 * once, approved by the comms lead, published to the page and to the
 * subscriber, then — as the controlled clock reaches each instant — the
 * reminder when the next update is due and the escalation to the incident
 * lead when it is overdue.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, silentLog, TestClock, testConfig, testCtx } from '../helpers/db.ts';
import { watchSerialization } from '../helpers/http.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const plan = (hooks: string) => `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: Europe/Paris }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
  support_lead: { rota: [sam@acme.example] }
severities:
  SEV1:
    first_external_within: 15m
    external_cadence: 30m
    internal_cadence: 15m
    remind_before: 5m
    overdue_after: 5m
    approval: comms_lead
    audiences: [public, internal]
audiences:
  public: { channels: [status-page, webhook] }
  internal: { channels: [slack-internal] }
channels:
  webhook: { type: webhook }
  slack-internal: { type: slack, url: ${hooks}/internal }
scenarios:
  database-degraded:
    severity: SEV1
    impact: major
    customer_impact: Saving changes fails for some customers.
    templates:
      investigating: |
        We are investigating errors in {{ components }}. {{ impact }}
        Next update by {{ next_update_at }}.
      resolved: Saving changes works normally again for all customers.
`;

for (const dialect of dialects) {
  test(`SEV1: approved after one rejection, published, then reminded and escalated on time [${dialect.name}]`, async () => {
    const hooks = await startReceiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-sev1-'));
    const file = path.join(dir, 'crier.yaml');
    fs.writeFileSync(file, plan(hooks.url));
    const t = await openTestDb(dialect);
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const config = testConfig({
      CRIER_PLAN: file,
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_PUBLIC_URL: 'https://status.acme.example',
      CRIER_WORKER_POLL_MS: '20',
    });
    const app = await createApp(config, { db: t.db, clock, timers: false, worker: true, log: silentLog });
    const changedBySchemas = watchSerialization(app.server);
    try {
      const ctx = testCtx(t.db, { clock });
      const token = async (name: string, role: 'admin' | 'responder' | 'comms_lead') => ({
        authorization: `Bearer ${(await createToken(ctx, { name, role })).token}`,
      });
      const admin = await token('admin@acme.example', 'admin');
      const rita = await token('rita@acme.example', 'responder');
      const carol = await token('carol@acme.example', 'comms_lead');
      const api = async (
        auth: { authorization: string },
        method: 'GET' | 'POST' | 'PATCH',
        url: string,
        payload?: object,
      ) => {
        const res = await app.server.inject({
          method,
          url: `/api/v1${url}`,
          headers: auth,
          ...(payload && { payload }),
        });
        return { status: res.statusCode, body: JSON.parse(res.body) };
      };
      const internal = () => hooks.requests.filter((r) => r.url === '/internal').map((r) => r.body);

      const sub = await api(admin, 'POST', '/subscribers', { webhook: `${hooks.url}/customer` });
      assert.equal(sub.status, 201, JSON.stringify(sub.body));
      const component = await api(admin, 'POST', '/components', { name: 'API' });

      const declared = await api(rita, 'POST', '/incidents', {
        name: 'Saving fails',
        scenario: 'database-degraded',
        components: { [component.body.id]: 'major_outage' },
      });
      assert.equal(declared.status, 201, JSON.stringify(declared.body));
      const id = declared.body.id as string;
      const draft = declared.body.incident_updates[0];
      assert.equal(draft.state, 'pending_approval');
      assert.match(
        draft.body,
        /^We are investigating errors in API\. Saving changes fails for some customers\.\nNext update by \{\{ next_update_at \}\}\.$/,
      );
      // Notices are separate jobs, sent in no particular order: wait for each.
      await waitFor(
        () =>
          internal().some((b) => /Approval needed/.test(b)) &&
          internal().some((b) => /carol@acme\.example: you are the communications lead/.test(b)),
        10_000,
        'the role and approver notices',
      );

      clock.advance(2 * 60_000);
      const rejected = await api(carol, 'POST', `/incidents/${id}/updates/${draft.id}/reject`, {
        comment: 'Name the region.',
      });
      assert.equal(rejected.body.state, 'rejected');
      await api(rita, 'PATCH', `/incidents/${id}/updates/${draft.id}/draft`, {
        body: 'Saving changes fails for customers in Europe. Next update by 10:35 CET.',
      });
      assert.equal(
        (await api(rita, 'POST', `/incidents/${id}/updates/${draft.id}/submit`, {})).body.state,
        'pending_approval',
      );
      clock.advance(3 * 60_000);
      const approved = await api(carol, 'POST', `/incidents/${id}/updates/${draft.id}/approve`, {});
      assert.equal(approved.body.state, 'published', JSON.stringify(approved.body));
      assert.equal(approved.body.published_at, '2026-01-15T10:05:00.000Z');

      await waitFor(
        () => hooks.requests.some((r) => r.url === '/customer' && !r.body.includes('"component_update"')),
        10_000,
        'the subscriber webhook',
      );
      // One incident event; Statuspage's component events for the components the update moved come besides.
      const delivered = hooks.requests.filter(
        (r) => r.url === '/customer' && !r.body.includes('"component_update"'),
      );
      assert.equal(delivered.length, 1);
      assert.match(delivered[0]?.body ?? '', /Saving changes fails for customers in Europe/);
      let page = '';
      await waitFor(
        async () => {
          page = (await app.server.inject({ method: 'GET', url: '/api/v2/incidents.json' })).body;
          return /Saving changes fails for customers in Europe/.test(page);
        },
        5_000,
        'the public page',
      );
      const shown = await api(admin, 'GET', `/incidents/${id}`);
      assert.equal(shown.body.next_update_due_at, '2026-01-15T10:35:00.000Z');

      const before = internal().length;
      assert.ok(!internal().some((b) => /is due now/.test(b)), 'no reminder before its time');
      clock.set('2026-01-15T10:35:00.000Z');
      await waitFor(
        () =>
          internal().some((b) => /is due now/.test(b)) &&
          internal().some((b) => /is due at 11:35 CET/.test(b)),
        10_000,
        'the reminders before and at the deadline',
      );
      assert.ok(!internal().some((b) => /has not been published/.test(b)), 'not overdue yet');
      assert.ok(internal().length > before);

      clock.set('2026-01-15T10:40:00.000Z');
      await waitFor(() => internal().some((b) => /has not been published/.test(b)), 10_000, 'the escalation');
      const escalation = internal().find((b) => /has not been published/.test(b)) ?? '';
      assert.match(
        escalation,
        /ivy@acme\.example \(incident lead\) and carol@acme\.example \(communications lead\)/,
      );
      assert.deepEqual(changedBySchemas(), []);
    } finally {
      await app.close();
      await t.close();
      await hooks.close();
    }
  });
}
