/**
 * A game day's failing channel fails every message its drill sends on it,
 * the team's notices and pages as much as the subscribers' updates: under a
 * controlled clock, with the team room and email made to fail for a while,
 * the runbook's page (a notice to the team room, an email to the lead) is
 * attempted, fails without reaching either provider, and goes out once the
 * failure ends; a real incident's notices on the same channel meanwhile go
 * out at once.
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
import { decodedHeader, startSmtpSink } from '../helpers/smtp.ts';

const plan = (stand: string, drills: string) => `version: 1
page: { name: Notice Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV2: { external_cadence: 1h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
  internal: { channels: [team-room] }
  team: { channels: [email] }
drill: { audience: team }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  team-room: { type: ntfy, server: "${stand}/ntfy", topic: acme-team }
scenarios:
  api-errors:
    name: API errors
    severity: SEV2
    impact: major
    customer_impact: Some API calls fail.
    templates:
      investigating: "We are looking into errors in the API. Next update by {{ next_update_at }}."
      resolved: The API works normally again for all customers.
runbooks:
  - name: api-alerts
    when: { labels: { service: api } }
    do:
      - declare: { scenario: api-errors }
      - page: { role: incident_lead }
${drills}`;

const script = `drills:
  notices-down:
    scenario: api-errors
    script:
      - { at: 0s, fail_channel: { channel: team-room, for: 10m } }
      - { at: 0s, fail_channel: { channel: email, for: 10m } }
      - { at: 1m, alert: { title: API error rate above 5%, labels: { service: api } } }
`;

for (const dialect of dialects) {
  test(`a game day's failing channel fails the drill's notices and pages too, and no one else's [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const stand = await startReceiver(() => ({
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'n1', time: 1, event: 'message', topic: 'acme-team' }),
    }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-drill-notices-'));
    fs.writeFileSync(path.join(dir, 'crier.yaml'), plan(stand.url, ''));
    const clock = new TestClock('2026-03-02T09:00:00.000Z');
    const t = await openTestDb(dialect);
    const app = await createApp(
      testConfig({
        CRIER_PLAN: path.join(dir, 'crier.yaml'),
        CRIER_ALLOW_PRIVATE_NETWORK: 'true',
        CRIER_PUBLIC_URL: 'https://status.crier.test',
        CRIER_WORKER_POLL_MS: '50',
        SMTP_URL: smtp.url,
      }),
      { db: t.db, timers: false, worker: true, log: silentLog, clock },
    );
    try {
      const server = app.server;
      const auth = {
        authorization: `Bearer ${(await createToken(testCtx(t.db, { clock }), { name: 'ivy@crier.test', role: 'admin' })).token}`,
      };
      const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
        const res = await server.inject({ method, url, headers: auth, ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return JSON.parse(res.body) as Record<string, unknown>;
      };
      await api('PUT', '/api/v1/plan', { source: plan(stand.url, script) });
      const run = await api('POST', '/api/v1/drills/run', { name: 'notices-down', speed: 60 });
      const drillId = String(run.incident_id);
      const played = async (n: number) =>
        waitFor(
          async () =>
            ((await api('GET', `/api/v1/game-days/${String(run.id)}`)).events as { done: boolean }[]).filter(
              (e) => e.done,
            ).length >= n,
          15_000,
          `${n} events played`,
        );
      await played(2);
      // The notices the drill's start sent may have gone before the failure began: count from here.
      const pageJobs = async () =>
        (
          await t.db
            .selectFrom('outbox_jobs')
            .select(['kind', 'payload', 'state', 'attempts', 'last_error'])
            .where('kind', 'in', ['channel.notice', 'person.notice'])
            .execute()
        ).filter((j) => j.payload.includes('PAGE'));

      // 1m / 60: the alert fires, and the runbook pages the lead on the team room and by email.
      clock.advance(1000);
      await played(3);
      await waitFor(
        async () => {
          const jobs = await pageJobs();
          return jobs.length === 2 && jobs.every((j) => j.attempts >= 1 && j.state === 'pending');
        },
        15_000,
        'both pages tried once',
      );
      for (const job of await pageJobs()) {
        assert.match(job.last_error ?? '', /made to fail by the game day \(a drill\)/, job.kind);
        assert.equal(job.attempts, 1, 'tried once, due again after its backoff');
      }
      const paged = () => ({
        room: stand.requests.filter((r) => r.body.includes('PAGE')).length,
        mail: smtp.mails.filter((m) => decodedHeader(m.headers.subject ?? '').includes('PAGE')).length,
      });
      assert.deepEqual(paged(), { room: 0, mail: 0 }, 'neither provider was asked');

      // Meanwhile a real incident's notices on the same room go out at once.
      const before = stand.requests.length;
      const real = await api('POST', '/api/v1/incidents', {
        name: 'Real API errors',
        scenario: 'api-errors',
      });
      await waitFor(async () => stand.requests.length > before, 15_000, 'the real incident’s notice');
      const realNotice = stand.requests.slice(before).map((r) => JSON.parse(r.body) as { title: string });
      assert.ok(
        realNotice.every((n) => !n.title.includes('[DRILL]')),
        JSON.stringify(realNotice),
      );
      assert.equal(paged().room, 0, 'the drill’s page still held back');

      // The failure ends (10m / 60 after the start); the retried pages go out, marked [DRILL].
      clock.advance(15_000);
      await waitFor(async () => paged().room === 1 && paged().mail === 1, 15_000, 'both pages sent');
      const mail = smtp.mails.find((m) => decodedHeader(m.headers.subject ?? '').includes('PAGE'));
      assert.deepEqual(mail?.to, ['ivy@crier.test']);
      assert.match(decodedHeader(mail?.headers.subject ?? ''), /^\[DRILL\] PAGE ivy@crier\.test/);
      const room = stand.requests.find((r) => r.body.includes('PAGE'));
      assert.match(String((JSON.parse(room?.body ?? '{}') as { title: string }).title), /\[DRILL\]/);
      await waitFor(
        async () => (await pageJobs()).every((j) => j.state === 'done'),
        15_000,
        'both page jobs done',
      );
      assert.deepEqual(
        (await pageJobs()).map((j) => j.attempts),
        [2, 2],
      );
      assert.notEqual(real.id, drillId);
    } finally {
      await app.close();
      await t.close();
      await Promise.all([smtp.close(), stand.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
