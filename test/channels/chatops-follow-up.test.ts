/**
 * Chat-ops work slower than Slack's 3 seconds: the request is answered
 * "Working on it…" in time, and the outcome follows as a POST of JSON to the
 * request's `response_url` (Slack's documented message response:
 * `response_type` and `text`, mrkdwn control characters escaped), once.
 * The work is held up by a lock another connection keeps on the incidents
 * table until the first answer is in, so the slow path is taken for certain,
 * not by timing luck: that lock needs a second connection to one database,
 * which is PostgreSQL here (the SQLite test database lives in one
 * connection's memory). The outcome does not depend on the database.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { addUser } from '../../src/services/users/users.ts';
import { openDatabase } from '../../src/store/db.ts';
import { type SlackStand, startSlackStand } from '../helpers/chat-stand.ts';
import { dialects, testCtx } from '../helpers/db.ts';
import { startPlanApp } from '../helpers/plan-app.ts';
import { waitFor } from '../helpers/receiver.ts';

const signingSecret = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';

const plan = (slackApi: string) => `version: 1
page: { name: Chat Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV2: { external_cadence: 1h, approval: none, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [team] }
channels:
  team: { type: slack, bot_token: env:SLACK_BOT_TOKEN, signing_secret: env:SLACK_SIGNING_SECRET, api_url: "${slackApi}" }
`;

/** Signed as Slack signs a request (its documented v0 scheme, computed here independently). */
function signed(body: string) {
  const at = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': `v0=${createHmac('sha256', signingSecret).update(`v0:${at}:${body}`).digest('hex')}`,
  };
}

let slack: SlackStand;
before(async () => {
  slack = await startSlackStand();
  slack.users.set('ivy@crier.test', 'U0IVY');
});
after(() => slack.close());

for (const dialect of dialects.filter((d) => d.name === 'postgres'))
  test(`Slack: slow work is answered in time and followed up on response_url [${dialect.name}]`, async () => {
    slack.reset();
    const app = await startPlanApp(dialect, {
      channels: '',
      audiences: {},
      plan: plan(slack.apiUrl),
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: signingSecret,
        CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      },
    });
    const other = openDatabase(app.t.url, { ...(app.t.schema && { schema: app.t.schema }), poolSize: 1 });
    try {
      await addUser(testCtx(app.t.db), { email: 'ivy@crier.test', role: 'incident_lead' });
      const body = new URLSearchParams({
        team_id: 'T0001',
        channel_id: 'C0GENERAL',
        user_id: 'U0IVY',
        user_name: 'ivy',
        command: '/crier',
        text: 'declare SEV2 Payments & refunds <EU>',
        response_url: `${slack.url}/response/commands/7`,
        trigger_id: '13345224609.738474920.8088930838d88f008e0',
      }).toString();

      // Another connection holds the incidents table until the first answer is in.
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = () => {};
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = other.transaction().execute(async (trx) => {
        await sql`lock table incidents in access exclusive mode`.execute(trx);
        locked();
        await released;
      });
      await isLocked;
      const started = Date.now();
      let res: Awaited<ReturnType<typeof app.app.server.inject>>;
      try {
        res = await app.app.server.inject({
          method: 'POST',
          url: '/chatops/team/command',
          payload: body,
          headers: signed(body),
        });
      } finally {
        release();
        await holder;
      }
      const waited = Date.now() - started;
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(JSON.parse(res.body), { response_type: 'ephemeral', text: 'Working on it…' });
      assert.ok(waited < 3_000, `answered within Slack's 3 seconds (${waited} ms)`);
      assert.equal(slack.responses.length, 0, 'nothing followed up before the work was done');

      await waitFor(() => slack.responses.length > 0, 15_000, 'the follow-up on response_url');
      const [followUp] = slack.responses;
      assert.ok(followUp);
      assert.equal(followUp.method, 'POST');
      assert.equal(followUp.url, '/response/commands/7');
      assert.equal(followUp.headers['content-type'], 'application/json');
      const message = JSON.parse(followUp.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(message).sort(), ['response_type', 'text']);
      assert.equal(message.response_type, 'ephemeral');
      const incident = await app.t.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
      assert.equal(incident.name, 'Payments & refunds <EU>');
      assert.equal(incident.created_by, 'user:ivy@crier.test');
      assert.match(
        String(message.text),
        new RegExp(`^Declared: Payments &amp; refunds &lt;EU&gt; \\(${incident.id}\\): investigating, SEV2`),
      );
      // Once: the outcome is not sent again.
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(slack.responses.length, 1);
    } finally {
      await other.destroy();
      await app.close();
    }
  });
