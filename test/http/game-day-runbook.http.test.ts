/**
 * A game day rehearses the runbooks: at speed 60, its alert goes through the
 * ingest path to the runbook its labels match, whose steps all act on the
 * game day's drill — `declare` takes the drill up, roles come from the
 * rotas, the incident lead is paged, a component worsens in drill state, the
 * external words are drafted and the team is told — and, once the alert
 * resolves, its `on_resolve` step resolves the drill. Only the drill
 * audience and the paged lead hear of it, every message marked [DRILL]; no
 * customer (email or webhook) is sent anything, no real incident is
 * declared, and the page, /api/v2, the feeds and the static export are byte
 * for byte as they were.
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
import { decodedHeader, startSmtpSink } from '../helpers/smtp.ts';

const plan = (stand: string, rest: string) => `version: 1
page: { name: Rehearsal Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV2: { external_cadence: 1h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, feed, email, webhook] }
  internal: { channels: [team-room] }
  team: { channels: [email, team-room] }
drill: { audience: team }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  webhook: { type: webhook }
  team-room: { type: ntfy, server: "${stand}/ntfy", topic: acme-team }
scenarios:
  api-errors:
    name: API errors
    severity: SEV2
    impact: minor
    customer_impact: Some API calls fail.
    templates:
      investigating: "We are looking into errors in {{ components }}. Next update by {{ next_update_at }}."
      identified: "We found why {{ components }} fails and are fixing it. Next update by {{ next_update_at }}."
      resolved: The API works normally again for all customers.
${rest}`;

const rehearsed = (componentId: string) => `runbooks:
  - name: api-alerts
    when: { labels: { service: api } }
    do:
      - declare: { scenario: api-errors }
      - assign_roles: {}
      - page: { role: incident_lead }
      - set_component_status: { components: { ${componentId}: major_outage } }
      - draft_external: { status: identified }
      - notify: { text: "The runbook has the API team on it." }
    on_resolve:
      - resolve: {}
drills:
  api-outage:
    scenario: api-errors
    participants: [ivy@crier.test]
    script:
      - { at: 0s, alert: { title: API error rate above 5%, labels: { service: api } } }
      - { at: 3m, resolve_alert: {} }
`;

const publicRoutes = [
  '/',
  '/history',
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/history.atom',
  '/history.rss',
];

for (const dialect of dialects) {
  test(`a game day's alert runs the runbook on the drill alone, heard only by the team [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const stand = await startReceiver((req) =>
      req.url.startsWith('/ntfy')
        ? {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id: 'n1', time: 1, event: 'message', topic: 'acme-team' }),
          }
        : { status: 200, body: 'ok' },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-rehearsal-'));
    fs.writeFileSync(path.join(dir, 'crier.yaml'), plan(stand.url, ''));
    const t = await openTestDb(dialect);
    const app = await createApp(
      testConfig({
        CRIER_PLAN: path.join(dir, 'crier.yaml'),
        CRIER_ALLOW_PRIVATE_NETWORK: 'true',
        CRIER_PUBLIC_URL: 'https://status.crier.test',
        CRIER_WORKER_POLL_MS: '50',
        SMTP_URL: smtp.url,
      }),
      { db: t.db, timers: false, worker: true, log: silentLog },
    );
    try {
      const server = app.server;
      const auth = {
        authorization: `Bearer ${(await createToken(testCtx(t.db), { name: 'ivy@crier.test', role: 'admin' })).token}`,
      };
      const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
        const res = await server.inject({ method, url, headers: auth, ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return JSON.parse(res.body) as Record<string, unknown>;
      };
      const componentId = String((await api('POST', '/api/v1/components', { name: 'API' })).id);
      await api('POST', '/api/v1/subscribers', { email: 'customer@example.com' });
      await api('POST', '/api/v1/subscribers', { webhook: `${stand.url}/hook/customer` });
      await api('POST', '/api/v1/subscribers', { email: 'ops@crier.test', audience: 'team' });
      await api('PUT', '/api/v1/plan', { source: plan(stand.url, rehearsed(componentId)) });
      await outboxDrained(t.db);
      stand.requests.length = 0;
      smtp.mails.length = 0;

      const publicOutputs = async () => {
        await app.statusPage.refresh();
        const files = new Map([...(app.statusPage.surface?.files ?? [])].map(([p, f]) => [p, f.body]));
        for (const url of publicRoutes) files.set(`GET ${url}`, (await server.inject({ url })).body);
        return files;
      };
      const before = await publicOutputs();
      assert.ok(before.size > publicRoutes.length, 'the export has files');

      const run = await api('POST', '/api/v1/drills/run', { name: 'api-outage', speed: 60 });
      const drillId = String(run.incident_id);

      // The runbook runs on the drill, every step of it, then resolves the drill once the alert resolves.
      const steps = async () =>
        t.db
          .selectFrom('runbook_run_steps')
          .innerJoin('runbook_runs', 'runbook_runs.id', 'runbook_run_steps.run_id')
          .select([
            'runbook_runs.incident_id',
            'runbook_run_steps.phase',
            'runbook_run_steps.kind',
            'runbook_run_steps.state',
            'runbook_run_steps.outcome',
            'runbook_run_steps.error',
          ])
          .orderBy('runbook_run_steps.phase')
          .orderBy('runbook_run_steps.position')
          .execute();
      await waitFor(
        async () => (await steps()).filter((s) => s.state !== 'pending').length === 7,
        30_000,
        'every step of the rehearsed runbook',
      );
      await waitFor(
        async () => (await api('GET', `/api/v1/incidents/${drillId}`)).status === 'resolved',
        15_000,
        'the drill resolved by the runbook',
      );
      await outboxDrained(t.db, 20_000);
      const ran = await steps();
      assert.deepEqual(
        ran.map((s) => [s.phase, s.kind, s.state, s.incident_id, s.error]),
        [
          ['do', 'declare', 'done', drillId, null],
          ['do', 'assign_roles', 'done', drillId, null],
          ['do', 'page', 'done', drillId, null],
          ['do', 'set_component_status', 'done', drillId, null],
          ['do', 'draft_external', 'done', drillId, null],
          ['do', 'notify', 'done', drillId, null],
          ['on_resolve', 'resolve', 'done', drillId, null],
        ],
      );
      assert.equal(ran[0]?.outcome, `rehearsed on drill ${drillId}`);
      assert.match(ran[1]?.outcome ?? '', /incident_lead ivy@crier\.test/);
      assert.match(ran[2]?.outcome ?? '', /^paged ivy@crier\.test on .*email/);
      assert.match(ran[4]?.outcome ?? '', /^identified for public: published/);
      const incidents = await t.db.selectFrom('incidents').select(['id', 'drill']).execute();
      assert.deepEqual(incidents, [{ id: drillId, drill: 1 }], 'no real incident was declared');

      // The component moved in drill state; the public one never did.
      const link = await t.db
        .selectFrom('incident_components')
        .select('drill_status')
        .where('incident_id', '=', drillId)
        .where('component_id', '=', componentId)
        .executeTakeFirstOrThrow();
      assert.equal(link.drill_status, 'major_outage');
      const drill = await api('GET', `/api/v1/incidents/${drillId}`);
      assert.equal(
        drill.impact,
        'critical',
        'the drill’s impact rose with its drill state, from the scenario’s minor',
      );
      assert.equal((await api('GET', `/api/v1/components/${componentId}`)).status, 'operational');
      const history = await t.db
        .selectFrom('component_status_history')
        .select('id')
        .where('incident_id', '=', drillId)
        .execute();
      assert.equal(history.length, 0, 'the component has no history of it');

      // The drill's updates, the runbook's among them, reached the drill audience alone.
      const words = await t.db
        .selectFrom('incident_updates')
        .select(['status', 'audience', 'body'])
        .where('incident_id', '=', drillId)
        .orderBy('created_at')
        .execute();
      assert.deepEqual(
        words.map((u) => [u.status, u.audience]),
        [
          ['investigating', 'public'],
          ['identified', 'public'],
          ['identified', 'internal'],
          ['resolved', 'public'],
        ],
      );
      const recipients = await t.db
        .selectFrom('deliveries')
        .innerJoin('subscribers', 'subscribers.id', 'deliveries.subscriber_id')
        .select(['subscribers.audience', 'deliveries.state'])
        .where('deliveries.incident_id', '=', drillId)
        .execute();
      assert.ok(recipients.length >= 4, `each update to the team: ${JSON.stringify(recipients)}`);
      assert.deepEqual([...new Set(recipients.map((r) => r.audience))], ['team']);
      assert.deepEqual(
        stand.requests.filter((r) => !r.url.startsWith('/ntfy')).map((r) => r.url),
        [],
        'no webhook was called',
      );
      const mailedTo = [...new Set(smtp.mails.flatMap((m) => m.to))].sort();
      assert.deepEqual(mailedTo, ['ivy@crier.test', 'ops@crier.test'], 'the team and the paged lead only');
      const subjects = smtp.mails.map((m) => decodedHeader(m.headers.subject ?? ''));
      for (const subject of subjects) assert.match(subject, /^\[DRILL\] /);
      assert.ok(
        subjects.some((s) => s.startsWith('[DRILL] PAGE ivy@crier.test: the incident lead is needed now')),
        'the lead was paged by email',
      );
      const room = stand.requests.filter((r) => r.url.startsWith('/ntfy'));
      assert.ok(room.length > 0, 'the team room heard of it');
      for (const r of room)
        assert.match(String((JSON.parse(r.body) as { title: string }).title), /\[DRILL\]/);

      // Every public output, byte for byte.
      const after = await publicOutputs();
      assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'no page added or removed');
      for (const [p, body] of before) assert.equal(after.get(p), body, `${p} changed`);
    } finally {
      await app.close();
      await t.close();
      await Promise.all([smtp.close(), stand.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
