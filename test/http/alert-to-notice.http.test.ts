/**
 * From an alarm to the customers, end to end with the real worker, a real
 * SMTP server and an HTTP stand-in for the internal chat room: an
 * Alertmanager firing alert → the incident declared from the scenario, the
 * roles assigned from the rotas, the incident lead paged (by email, through
 * SMTP) → the external words drafted from the template, pending the comms
 * lead's approval → approved through the API → published to the page and
 * to an email subscriber → the resolved alert → the resolved words drafted
 * from the scenario's template, pending approval as the first were.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { fixture } from '../helpers/ingest.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const plan = `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
  support_lead: { rota: [sam@acme.example] }
severities:
  SEV1:
    first_external_within: 15m
    external_cadence: 30m
    approval: comms_lead
    audiences: [public, internal]
audiences:
  public: { channels: [status-page, email] }
  internal: { channels: [team-room] }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@acme.example }
  team-room: { type: slack, url: env:TEAM_ROOM_URL }
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

const runbooks = (component: string) => `
runbooks:
  - name: db-down
    when: { source: alertmanager, labels: { team: db } }
    group_by: [team]
    do:
      - declare: { scenario: database-degraded, name: Saving changes fails, components: { ${component}: major_outage } }
      - assign_roles: {}
      - page: { role: incident_lead }
      - draft_external: { status: investigating }
    on_resolve:
      - resolve: {}
`;

for (const dialect of dialects) {
  test(`an alert to the customers' inbox and back to resolved words, through approval [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const room = await startReceiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-alert-'));
    const file = path.join(dir, 'crier.yaml');
    fs.writeFileSync(file, plan);
    const t = await openTestDb(dialect);
    const app = await createApp(
      testConfig({
        CRIER_PLAN: file,
        CRIER_ALLOW_PRIVATE_NETWORK: 'true',
        CRIER_PUBLIC_URL: 'https://status.acme.example',
        CRIER_WORKER_POLL_MS: '50',
        SMTP_URL: smtp.url,
        TEAM_ROOM_URL: `${room.url}/room`,
      }),
      { db: t.db, timers: false, worker: true, log: silentLog },
    );
    try {
      const ctx = testCtx(t.db);
      const bearer = async (name: string, role: 'admin' | 'comms_lead') => ({
        authorization: `Bearer ${(await createToken(ctx, { name, role })).token}`,
      });
      const admin = await bearer('admin@acme.example', 'admin');
      const carol = await bearer('carol@acme.example', 'comms_lead');
      const api = async (
        auth: { authorization: string },
        method: 'GET' | 'POST' | 'PUT',
        url: string,
        payload?: object,
      ) => {
        const res = await app.server.inject({ method, url, headers: auth, ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return res.json();
      };
      const component: string = (await api(admin, 'POST', '/api/v1/components', { name: 'API' })).id;
      await api(admin, 'PUT', '/api/v1/plan', { source: plan + runbooks(component) });
      await api(admin, 'POST', '/api/v1/subscribers', { email: 'customer@example.com' });
      const { path: ingest } = await api(admin, 'POST', '/api/v1/ingest-keys', { source: 'alertmanager' });
      await outboxDrained(t.db);
      smtp.mails.length = 0;

      const firing = fixture('alertmanager-firing.json');
      const posted = await app.server.inject({
        method: 'POST',
        url: ingest,
        headers: { 'content-type': 'application/json' },
        payload: firing,
      });
      assert.equal(posted.statusCode, 200, posted.body);
      await outboxDrained(t.db, 20_000);

      const [incident] = await api(admin, 'GET', '/api/v1/incidents');
      assert.equal(incident.name, 'Saving changes fails');
      assert.equal(incident.scenario, 'database-degraded');
      assert.equal(incident.severity, 'SEV1');
      const roles = await api(admin, 'GET', `/api/v1/incidents/${incident.id}/roles`);
      assert.deepEqual(
        roles.map((r: { role: string; holder: string }) => [r.role, r.holder]),
        [
          ['incident_lead', 'ivy@acme.example'],
          ['comms_lead', 'carol@acme.example'],
          ['support_lead', 'sam@acme.example'],
        ],
      );
      // Paged: in the team's room and by email to ivy, through the SMTP server.
      await waitFor(
        async () => smtp.mails.some((m) => m.to.includes('ivy@acme.example')),
        15_000,
        'the page by email',
      );
      const page = smtp.mails.find((m) => m.to.includes('ivy@acme.example'));
      assert.match(page?.text ?? '', /you are paged as incident lead/);
      assert.ok(
        room.requests.some((r) => /PAGE ivy@acme\.example/.test(r.body)),
        'paged in the room',
      );
      assert.equal(
        smtp.mails.filter((m) => m.to.includes('customer@example.com')).length,
        0,
        'nothing to customers yet',
      );

      const external = (await api(admin, 'GET', `/api/v1/incidents/${incident.id}`)).incident_updates.find(
        (u: { audience: string }) => u.audience === 'public',
      );
      assert.equal(external.state, 'pending_approval');
      assert.match(external.body, /We are investigating errors in API/);

      const approved = await api(
        carol,
        'POST',
        `/api/v1/incidents/${incident.id}/updates/${external.id}/approve`,
        {},
      );
      assert.equal(approved.state, 'published');
      await outboxDrained(t.db, 20_000);
      await waitFor(
        async () => smtp.mails.some((m) => m.to.includes('customer@example.com')),
        15_000,
        'the customer’s email',
      );
      const mail = smtp.mails.find((m) => m.to.includes('customer@example.com'));
      assert.match(mail?.text ?? '', /We are investigating errors in API/);
      await app.statusPage.refresh();
      const summary = (await app.server.inject({ method: 'GET', url: '/api/v2/summary.json' })).json();
      assert.ok(
        summary.incidents.some((i: { id: string }) => i.id === incident.id),
        'on the page',
      );

      const resolved = await app.server.inject({
        method: 'POST',
        url: ingest,
        headers: { 'content-type': 'application/json' },
        payload: firing.replaceAll('"firing"', '"resolved"'),
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      await outboxDrained(t.db, 20_000);
      const closing = (await api(admin, 'GET', `/api/v1/incidents/${incident.id}`)).incident_updates.find(
        (u: { status: string }) => u.status === 'resolved',
      );
      assert.ok(closing, 'the resolved words drafted');
      assert.equal(closing.state, 'pending_approval');
      assert.equal(closing.body, 'Saving changes works normally again for all customers.');
      const [run] = await api(admin, 'GET', `/api/v1/incidents/${incident.id}/runbook-runs`);
      assert.deepEqual(
        run.steps.map(
          (s: { phase: string; kind: string; state: string }) => `${s.phase}:${s.kind}:${s.state}`,
        ),
        [
          'do:declare:done',
          'do:assign_roles:done',
          'do:page:done',
          'do:draft_external:done',
          'on_resolve:resolve:done',
        ],
      );
    } finally {
      await app.close();
      await t.close();
      await Promise.all([smtp.close(), room.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
