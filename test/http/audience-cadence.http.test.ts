/**
 * One "next update by" per audience, end to end with the real worker and a
 * controlled clock: the public update's words, the page, the webhook and
 * the support brief name the one deadline its publication set; an
 * enterprise-only update sets the enterprise deadline and neither moves nor
 * answers the public one; each audience's reminders come at its own
 * deadline, and adherence is counted per audience.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, silentLog, TestClock, testConfig, testCtx } from '../helpers/db.ts';
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
    remind_before: 5m
    overdue_after: 5m
    approval: none
    audiences: [public, enterprise, internal]
audiences:
  public: { channels: [status-page, webhook] }
  enterprise: { channels: [webhook] }
  internal: { channels: [slack-internal] }
channels:
  webhook: { type: webhook }
  slack-internal: { type: slack, url: ${hooks}/internal }
scenarios:
  exports-failing:
    severity: SEV1
    impact: major
    customer_impact: Exports fail for some customers.
    templates:
      investigating: |
        {{ impact }} We are working on it.
        Next update by {{ next_update_at }}.
      resolved: Exports work normally again for all customers.
`;

for (const dialect of dialects) {
  test(`each audience keeps its own next update time, the same in every rendering [${dialect.name}]`, async () => {
    const hooks = await startReceiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-audience-cadence-'));
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
    try {
      const ctx = testCtx(t.db, { clock });
      const admin = {
        authorization: `Bearer ${(await createToken(ctx, { name: 'admin@acme.example', role: 'admin' })).token}`,
      };
      const api = async (method: 'GET' | 'POST', url: string, payload?: object, accept?: string) => {
        const res = await app.server.inject({
          method,
          url: `/api/v1${url}`,
          headers: { ...admin, ...(accept && { accept }) },
          ...(payload && { payload }),
        });
        return { status: res.statusCode, text: res.body, body: accept ? null : JSON.parse(res.body) };
      };
      const internal = () => hooks.requests.filter((r) => r.url === '/internal').map((r) => r.body);
      for (const audience of ['public', 'enterprise']) {
        const sub = await api('POST', '/subscribers', { webhook: `${hooks.url}/${audience}`, audience });
        assert.equal(sub.status, 201, sub.text);
      }

      const declared = await api('POST', '/incidents', { name: 'Exports fail', scenario: 'exports-failing' });
      assert.equal(declared.status, 201, declared.text);
      const id = declared.body.id as string;
      const first = declared.body.incident_updates[0];
      assert.equal(first.state, 'published');
      assert.equal(first.next_update_at, '2026-01-15T10:30:00.000Z');
      assert.match(first.body, /Next update by 11:30 CET\.$/);

      clock.set('2026-01-15T10:05:00.000Z');
      const enterprise = await api('POST', `/incidents/${id}/updates`, {
        audience: 'enterprise',
        body: 'Exports fail for your workspace. We are moving your exports to new servers.\nNext update by {{ next_update_at }}.',
      });
      assert.equal(enterprise.status, 201, enterprise.text);
      assert.match(enterprise.body.body, /Next update by 11:35 CET\.$/);

      const incident = (await api('GET', `/incidents/${id}`)).body;
      assert.equal(incident.next_update_due_at, '2026-01-15T10:30:00.000Z', 'the enterprise update left it');
      assert.deepEqual(incident.deadlines, [
        {
          audience: 'enterprise',
          next_update_due_at: '2026-01-15T10:35:00.000Z',
          cadence: { updates_due: 1, updates_on_time: 1, ratio: 1 },
        },
        {
          audience: 'public',
          next_update_due_at: '2026-01-15T10:30:00.000Z',
          cadence: { updates_due: 1, updates_on_time: 1, ratio: 1 },
        },
      ]);

      // Every rendering of the public update names 11:30; the enterprise subscriber's names 11:35.
      await waitFor(
        () => ['/public', '/enterprise'].every((u) => hooks.requests.some((r) => r.url === u)),
        10_000,
        'both webhooks',
      );
      // Every "next update" each rendering names (the page also shows when each update was posted).
      const times = (text: string) => [
        ...new Set(
          [...text.matchAll(/(?:next update (?:is due )?by|next customer update:)\s*(\d\d:\d\d) CET/gi)].map(
            (m) => m[1],
          ),
        ),
      ];
      assert.deepEqual(times(hooks.requests.find((r) => r.url === '/public')?.body ?? ''), ['11:30']);
      assert.deepEqual(times(hooks.requests.find((r) => r.url === '/enterprise')?.body ?? ''), ['11:35']);
      await waitFor(
        async () =>
          (await app.server.inject({ method: 'GET', url: `/incidents/${id}` })).body.includes('11:30 CET'),
        5_000,
        'the page',
      );
      assert.deepEqual(times((await app.server.inject({ method: 'GET', url: `/incidents/${id}` })).body), [
        '11:30',
      ]);
      const brief = await api('GET', `/incidents/${id}/support-brief`, undefined, 'text/plain');
      assert.deepEqual(times(brief.text), ['11:30']);

      // Reminders come at each audience's own deadline.
      clock.set('2026-01-15T10:25:00.000Z');
      await waitFor(
        () => internal().some((b) => /Customer update due at 11:30 CET/.test(b)),
        10_000,
        'public, before',
      );
      assert.ok(!internal().some((b) => /Enterprise update due/.test(b)), 'the enterprise deadline is later');
      clock.set('2026-01-15T10:30:00.000Z');
      await waitFor(
        () =>
          internal().some((b) => /customer update on \\"Exports fail\\" is due now \(11:30 CET\)/.test(b)) &&
          internal().some((b) => /Enterprise update due at 11:35 CET/.test(b)),
        10_000,
        'public due now, enterprise before its deadline',
      );
    } finally {
      await app.close();
      await t.close();
      await hooks.close();
    }
  });
}
