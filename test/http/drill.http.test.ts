/**
 * A drill runs through the real plan and every real channel, heard only by
 * the team: with a subscriber of every kind in the public and enterprise
 * audiences and in the plan's drill audience, and a broadcast account on
 * each side, a drill started, moved and resolved through the API sends
 * nothing to any customer, leaves every public output (page, /api/v2,
 * feeds, the static export's files) byte for byte as it was, never moves a
 * public component, while the drill audience and the team's channel receive
 * every message, each marked [DRILL].
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { type Received, startReceiver } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const planFor = (stand: string) => `version: 1
page: { name: Drill Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
  support_lead: { rota: [sam@crier.test] }
severities:
  SEV2: { external_cadence: 1h, internal_cadence: 30m, approval: none, audiences: [public, enterprise, internal] }
audiences:
  public: { channels: [status-page, feed, email, sms, webhook, slack, teams, discord, news] }
  enterprise: { channels: [email, webhook] }
  internal: { channels: [team-room] }
  team: { channels: [email, sms, slack, teams, discord, team-room] }
drill: { audience: team }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  sms: { type: sms-twilio, account: env:TWILIO_SID, token: env:TWILIO_TOKEN, from: "+15550100", endpoint: ${stand}/twilio }
  webhook: { type: webhook }
  slack: { type: slack }
  teams: { type: teams }
  discord: { type: discord }
  news: { type: ntfy, server: "${stand}/ntfy", topic: acme-news }
  team-room: { type: ntfy, server: "${stand}/ntfy", topic: acme-team }
scenarios:
  api-errors:
    name: API errors
    severity: SEV2
    impact: major
    customer_impact: Some API calls fail.
    templates:
      investigating: "We are looking into errors in {{ components }}. {{ impact }} Next update by {{ next_update_at }}."
      identified: "We found why {{ components }} fails and are fixing it. Next update by {{ next_update_at }}."
      resolved: The API works normally again for all customers.
`;

/** Where each subscriber's messages arrive on the stand-in, by path. */
const customerPaths = [
  '/hook/customer',
  '/hook/enterprise',
  '/slack/customer',
  '/teams/customer',
  '/discord/customer',
];
const teamPaths = ['/slack/team', '/teams/team', '/discord/team'];

/** The text a team member reads first in a request: the title or the first line of its body. */
function firstWords(r: Received): string {
  if (r.url.startsWith('/twilio')) return new URLSearchParams(r.body).get('Body') ?? '';
  const body = JSON.parse(r.body) as Record<string, unknown>;
  if (r.url.startsWith('/ntfy')) return String(body.title);
  if (r.url.startsWith('/slack')) return String(body.text);
  if (r.url.startsWith('/discord')) return JSON.stringify(body.embeds);
  return JSON.stringify(body).slice(0, 400);
}

for (const dialect of dialects) {
  test(`a drill reaches only the drill audience, marked [DRILL], and leaves every public output unchanged [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const stand = await startReceiver((req) =>
      req.url.startsWith('/twilio')
        ? {
            status: 201,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
          }
        : req.url.startsWith('/ntfy')
          ? {
              status: 200,
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ id: 'n1', time: 1, event: 'message', topic: 'x' }),
            }
          : { status: 200, body: 'ok' },
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-drill-'));
    fs.writeFileSync(path.join(dir, 'crier.yaml'), planFor(stand.url));
    const t = await openTestDb(dialect).catch(async (err: unknown) => {
      await Promise.all([smtp.close(), stand.close()]);
      throw err;
    });
    let app: Awaited<ReturnType<typeof createApp>> | undefined;
    try {
      app = await createApp(
        testConfig({
          CRIER_PLAN: path.join(dir, 'crier.yaml'),
          CRIER_ALLOW_PRIVATE_NETWORK: 'true',
          CRIER_PUBLIC_URL: 'https://status.crier.test',
          CRIER_WORKER_POLL_MS: '50',
          SMTP_URL: `${smtp.url}`,
          TWILIO_SID: 'AC00000000000000000000000000000001',
          TWILIO_TOKEN: 'twilio-auth-token',
        }),
        { db: t.db, timers: false, worker: true, log: silentLog },
      );
      const server = app.server;
      const auth = {
        authorization: `Bearer ${(await createToken(testCtx(t.db), { name: 'ivy@crier.test', role: 'admin' })).token}`,
      };
      const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
        const res = await server.inject({ method, url, headers: auth, ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return JSON.parse(res.body) as Record<string, unknown>;
      };
      const component = await api('POST', '/api/v1/components', { name: 'API' });
      const apiId = String(component.id);
      const subscribers: [string, Record<string, string>][] = [
        ['public', { email: 'customer@example.com' }],
        ['public', { phone: '+14155550100' }],
        ['public', { webhook: `${stand.url}/hook/customer` }],
        ['public', { slack: `${stand.url}/slack/customer` }],
        ['public', { teams: `${stand.url}/teams/customer` }],
        ['public', { discord: `${stand.url}/discord/customer` }],
        ['enterprise', { email: 'buyer@enterprise.example' }],
        ['enterprise', { webhook: `${stand.url}/hook/enterprise` }],
        ['team', { email: 'ops@crier.test' }],
        ['team', { phone: '+14155550199' }],
        ['team', { slack: `${stand.url}/slack/team` }],
        ['team', { teams: `${stand.url}/teams/team` }],
        ['team', { discord: `${stand.url}/discord/team` }],
      ];
      for (const [audience, contact] of subscribers) {
        await api('POST', '/api/v1/subscribers', { audience, ...contact });
      }
      await outboxDrained(t.db);
      stand.requests.length = 0;
      smtp.mails.length = 0;

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
      const publicOutputs = async () => {
        await app?.statusPage.refresh();
        const files = new Map([...(app?.statusPage.surface?.files ?? [])].map(([p, f]) => [p, f.body]));
        for (const url of publicRoutes) files.set(`GET ${url}`, (await server.inject({ url })).body);
        return files;
      };
      const before = await publicOutputs();
      assert.ok(before.size > publicRoutes.length, 'the export has files');

      // Start, worsen, resolve: through the API, as the team would.
      const drill = await api('POST', '/api/v1/drills', {
        scenario: 'api-errors',
        components: { [apiId]: 'partial_outage' },
      });
      assert.equal(drill.drill, true);
      assert.equal(drill.severity, 'SEV2');
      const id = String(drill.id);
      await api('POST', `/api/v1/incidents/${id}/updates`, {
        status: 'identified',
        body: 'We found why the API fails and are fixing it. Next update by 11:00 UTC.',
        components: { [apiId]: 'major_outage' },
      });
      const seen = await api('GET', `/api/v1/incidents/${id}`);
      assert.deepEqual(
        (seen.components as { id: string; status: string }[]).map((c) => [c.id, c.status]),
        [[apiId, 'major_outage']],
        'the drill shows its own component state',
      );
      assert.equal(seen.impact, 'critical', 'its impact follows its drill state');
      const live = await api('GET', `/api/v1/components/${apiId}`);
      assert.equal(live.status, 'operational', 'the public component never moved');
      await api('POST', `/api/v1/incidents/${id}/resolve`, {});
      await outboxDrained(t.db, 20_000);

      // Customers: nothing, on any channel.
      const toCustomers = stand.requests.filter(
        (r) => customerPaths.includes(r.url) || r.url.endsWith('/acme-news') || r.body.includes('acme-news'),
      );
      assert.deepEqual(
        toCustomers.map((r) => r.url),
        [],
        'no customer heard of the drill',
      );
      const texts = stand.requests.filter((r) => r.url.startsWith('/twilio'));
      assert.ok(
        texts.every((r) => new URLSearchParams(r.body).get('To') === '+14155550199'),
        'texts only to the team',
      );
      assert.deepEqual(
        [...new Set(smtp.mails.flatMap((m) => m.to))],
        ['ops@crier.test'],
        'email only to the team',
      );
      const customerRows = await t.db
        .selectFrom('deliveries')
        .innerJoin('subscribers', 'subscribers.id', 'deliveries.subscriber_id')
        .select('subscribers.audience')
        .where('deliveries.incident_id', '=', id)
        .where('subscribers.audience', '!=', 'team')
        .execute();
      assert.equal(customerRows.length, 0, 'not one delivery to a customer was even written');

      // The team: every message, on every channel of the drill audience, marked [DRILL].
      const updates = 3;
      for (const p of teamPaths) {
        assert.equal(stand.requests.filter((r) => r.url === p).length, updates, `${p}: each update once`);
      }
      // SMS: the first and the resolving update (the channel's default).
      assert.equal(texts.length, 2);
      assert.equal(smtp.mails.length, updates);
      for (const m of smtp.mails) assert.match(m.headers.subject ?? '', /^\[DRILL\] /);
      const room = stand.requests.filter((r) => r.url.startsWith('/ntfy'));
      assert.ok(room.length > updates, 'the team room heard the updates and the role notices');
      for (const r of [...stand.requests]) assert.match(firstWords(r), /\[DRILL\]/, `${r.url}: ${r.body}`);

      // The public outputs, byte for byte.
      const after = await publicOutputs();
      assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'no page added or removed');
      for (const [p, body] of before) assert.equal(after.get(p), body, `${p} changed`);
    } finally {
      await app?.close();
      await t.close();
      await Promise.all([smtp.close(), stand.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
