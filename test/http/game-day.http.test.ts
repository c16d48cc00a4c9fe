/**
 * A scripted game day under a controlled clock: run by the API at speed 60,
 * its alert fires through the ingest path (and the runbook it matches takes
 * up the drill rather than declaring a real incident), a component worsens in drill state only, the primary
 * email channel is made to fail for the drill's messages, the alert
 * resolves and the drill is resolved; the resolution's email goes out by
 * the fallback channel, the game day runs to its end, its report shows the
 * scores the clock gives (in plan time), and nothing reaches a customer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, silentLog, TestClock, testConfig, testCtx } from '../helpers/db.ts';
import { waitFor } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const plan = (drills: string) => `version: 1
page: { name: Game Day Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV2: { first_external_within: 15m, external_cadence: 1h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
  team: { channels: [email] }
drill: { audience: team }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test, fallback: email-backup, max_attempts: 2, retry_base_ms: 1000, retry_max_ms: 2000 }
  email-backup: { type: email-smtp, url: env:BACKUP_SMTP_URL, from: status@crier.test }
scenarios:
  api-errors:
    name: API errors
    severity: SEV2
    impact: major
    customer_impact: Some API calls fail.
    templates:
      investigating: "We are looking into errors in {{ components }}. {{ impact }} Next update by {{ next_update_at }}."
      resolved: The API works normally again for all customers.
runbooks:
  - name: api-alerts
    when: { labels: { service: api } }
    do:
      - declare: { scenario: api-errors }
${drills}`;

for (const dialect of dialects) {
  test(`a scripted game day with a failing email channel runs to its end and uses the fallback [${dialect.name}]`, async () => {
    const primary = await startSmtpSink();
    const backup = await startSmtpSink();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-game-day-'));
    fs.writeFileSync(path.join(dir, 'crier.yaml'), plan(''));
    const clock = new TestClock('2026-03-02T09:00:00.000Z');
    const t = await openTestDb(dialect);
    const app = await createApp(
      testConfig({
        CRIER_PLAN: path.join(dir, 'crier.yaml'),
        CRIER_PUBLIC_URL: 'https://status.crier.test',
        CRIER_WORKER_POLL_MS: '50',
        SMTP_URL: primary.url,
        BACKUP_SMTP_URL: backup.url,
      }),
      { db: t.db, timers: false, worker: true, log: silentLog, clock },
    );
    try {
      const server = app.server;
      const auth = {
        authorization: `Bearer ${(await createToken(testCtx(t.db, { clock }), { name: 'ivy@crier.test', role: 'admin' })).token}`,
      };
      const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: Record<string, unknown>) => {
        const res = await server.inject({
          method,
          url,
          headers: auth,
          ...(payload !== undefined && { payload }),
        });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return JSON.parse(res.body) as Record<string, unknown>;
      };
      const componentId = String((await api('POST', '/api/v1/components', { name: 'API' })).id);
      await api('POST', '/api/v1/subscribers', { email: 'customer@example.com' });
      await api('POST', '/api/v1/subscribers', { email: 'ops@crier.test', audience: 'team' });
      await api('PUT', '/api/v1/plan', {
        source: plan(`drills:
  email-outage:
    scenario: api-errors
    participants: [ivy@crier.test]
    script:
      - { at: 0s, alert: { title: API error rate above 5%, labels: { service: api } } }
      - { at: 1m, fail_channel: { channel: email } }
      - { at: 2m, component: { ${componentId}: major_outage } }
      - { at: 5m, resolve_alert: {} }
      - { at: 6m, resolve: {} }
`),
      });
      const settledMails = async () => {
        await waitFor(
          async () =>
            (
              await t.db
                .selectFrom('deliveries')
                .select('id')
                .where('state', 'in', ['pending', 'sending'])
                .execute()
            ).length === 0,
          15_000,
          'the deliveries settled',
        );
      };
      await settledMails();
      primary.mails.length = 0;

      const run = await api('POST', '/api/v1/drills/run', { name: 'email-outage', speed: 60 });
      const id = String(run.id);
      const incidentId = String(run.incident_id);
      assert.deepEqual(
        (run.events as { due_at: string }[]).map((e) => e.due_at),
        ['09:00:00', '09:00:01', '09:00:02', '09:00:05', '09:00:06'].map((s) => `2026-03-02T${s}.000Z`),
        'offsets divided by the speed',
      );
      const gameDay = async () => api('GET', `/api/v1/game-days/${id}`);
      const stepsDone = async (n: number) =>
        waitFor(
          async () => ((await gameDay()).events as { done: boolean }[]).filter((e) => e.done).length >= n,
          15_000,
          `${n} events of the game day played`,
        );

      // 0s: the alert fires through the ingest path; the runbook it matches takes the drill up.
      await stepsDone(1);
      const alert = await t.db.selectFrom('alerts').selectAll().executeTakeFirstOrThrow();
      assert.equal(alert.status, 'firing');
      assert.match(alert.labels, /"crier_game_day":"/);
      await waitFor(
        async () =>
          (await t.db.selectFrom('runbook_run_steps').select('state').executeTakeFirst())?.state === 'done',
        15_000,
        'the runbook rehearsed',
      );
      assert.deepEqual(await t.db.selectFrom('runbook_runs').select('incident_id').execute(), [
        { incident_id: incidentId },
      ]);
      // The drill's first notice reached the team on the primary channel, before it was made to fail.
      await settledMails();
      await waitFor(async () => primary.mails.length === 1, 10_000, 'the first drill notice');
      assert.match(primary.mails[0]?.headers.subject ?? '', /^\[DRILL\]/);
      assert.deepEqual(primary.mails[0]?.to, ['ops@crier.test']);

      clock.advance(1000);
      await stepsDone(2);
      assert.equal((await api('GET', `/api/v1/incidents/${incidentId}`)).impact, 'major', 'the scenario’s');
      clock.advance(1000);
      await stepsDone(3);
      // The component event raises the drill's impact at once, as its drill state now says.
      assert.equal((await api('GET', `/api/v1/incidents/${incidentId}`)).impact, 'critical');
      const link = await t.db
        .selectFrom('incident_components')
        .select('drill_status')
        .where('incident_id', '=', incidentId)
        .where('component_id', '=', componentId)
        .executeTakeFirstOrThrow();
      assert.equal(link.drill_status, 'major_outage');
      assert.equal((await api('GET', `/api/v1/components/${componentId}`)).status, 'operational');

      clock.advance(3000);
      await stepsDone(4);
      assert.equal(
        (await t.db.selectFrom('alerts').select('status').executeTakeFirstOrThrow()).status,
        'resolved',
      );
      clock.advance(1000);
      await stepsDone(5);
      const done = await gameDay();
      assert.equal(done.state, 'done');
      assert.equal((await api('GET', `/api/v1/incidents/${incidentId}`)).status, 'resolved');

      // The resolution fails on the primary (made to fail), is retried, then goes by the fallback.
      const resolution = async () =>
        t.db
          .selectFrom('deliveries as d')
          .innerJoin('incident_updates as u', 'u.id', 'd.subject_id')
          .select(['d.state', 'd.via', 'd.attempts', 'd.last_error'])
          .where('u.incident_id', '=', incidentId)
          .where('u.status', '=', 'resolved')
          .execute();
      await waitFor(
        async () => {
          const rows = await resolution();
          if (rows.length === 1 && rows[0]?.state === 'sent') return true;
          // Time moves only while the delivery waits for its retry.
          if (rows[0]?.state === 'failed') clock.advance(2500);
          return false;
        },
        20_000,
        'the resolution sent by the fallback',
      );
      const [sent] = await resolution();
      assert.equal(sent?.via, 'email-backup');
      assert.equal(sent?.attempts, 2);
      await waitFor(async () => backup.mails.length === 1, 10_000, 'the mail by the fallback');
      assert.match(backup.mails[0]?.headers.subject ?? '', /^\[DRILL\]/);
      assert.deepEqual(backup.mails[0]?.to, ['ops@crier.test']);
      assert.equal(primary.mails.length, 1, 'nothing more went by the failing channel');

      // Its report, in plan time (every span multiplied back by the speed, 60).
      const report = await api('GET', `/api/v1/drills/${incidentId}/report`);
      const first = await t.db
        .selectFrom('incident_updates')
        .select('id')
        .where('incident_id', '=', incidentId)
        .where('status', '=', 'investigating')
        .executeTakeFirstOrThrow();
      assert.deepEqual(report.scores, {
        speed: 60,
        // The alert at 0s arrived as the drill was declared: its detection.
        detection_to_declared_ms: 0,
        declared_to_first_internal_ms: null,
        // The first words went out as the drill began, against SEV2's 15 minutes.
        first_external: { from: 'detected', took_ms: 0, target_ms: 15 * 60_000, met: true },
        approval: { updates: 0, max_wait_ms: null, total_wait_ms: 0, published_unapproved: 0 },
        // The first words by their target, the resolution 6 s (6 plan minutes) later, inside the hour.
        cadence: [{ audience: 'public', updates_due: 2, updates_on_time: 2, ratio: 1 }],
        longest_silence_ms: 6 * 60_000,
        lint_overrides: 0,
        // The resolution's email, by email-backup.
        fallbacks: 1,
        // Sent on the frozen clock the instant it was published (real time, not multiplied).
        first_notice_reach: {
          update_id: first.id,
          subscribers: 1,
          reached: 1,
          p50_ms: 0,
          p95_ms: 0,
          p100_ms: 0,
        },
      });
      assert.equal(report.drill, true);
      assert.equal(report.resolved_at, '2026-03-02T09:00:06.000Z');

      // No customer heard of it, and no real incident was declared.
      const all = [...primary.mails, ...backup.mails].flatMap((m) => m.to);
      assert.ok(!all.includes('customer@example.com'));
      const incidents = await t.db.selectFrom('incidents').select(['id', 'drill']).execute();
      assert.deepEqual(
        incidents.map((i) => i.drill),
        [1],
      );
    } finally {
      await app.close();
      await t.close();
      await Promise.all([primary.close(), backup.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
