/**
 * From alarm to page without anyone typing, through Slack: a real `crier
 * serve` (HTTP and worker in its own process) on each database, Slack's Web
 * API stood in by a local server in this process. An Alertmanager firing
 * alert (the documented v4 payload, over HTTP) runs the runbook: the
 * incident is declared from the scenario, the rota's people hold its roles,
 * its room is opened on Slack with them invited, and the customers' words
 * wait for the comms lead. The approval request reaches the room with its
 * buttons; a click, signed as Slack signs it and posted over HTTP, approves
 * as the Crier user with the clicker's email, and the words reach the page
 * and an email subscriber. The resolved alert drafts the scenario's
 * resolved words, waiting for the comms lead in turn.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { type SlackStand, startSlackStand } from '../test/helpers/chat-stand.ts';
import { dialects, openTestDb } from '../test/helpers/db.ts';
import { fixture } from '../test/helpers/ingest.ts';
import { waitFor } from '../test/helpers/receiver.ts';
import { startSmtpSink } from '../test/helpers/smtp.ts';
import { startServer, tempDir } from './helpers/process.ts';

const adminToken = 'e2e-alarm-slack-admin-token-0123456789';
const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';

const plan = (slackApi: string) => `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
severities:
  SEV1: { external_cadence: 30m, approval: comms_lead, audiences: [public, internal] }
audiences:
  public: { channels: [status-page, email] }
  internal: { channels: [team] }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@acme.example }
  team: { type: slack, bot_token: env:SLACK_BOT_TOKEN, signing_secret: env:SLACK_SIGNING_SECRET, api_url: "${slackApi}" }
scenarios:
  database-down:
    severity: SEV1
    impact: major
    templates:
      investigating: "Saving changes fails for some customers. We are on it. Next update by {{ next_update_at }}."
      resolved: "Saving changes works again for every customer."
runbooks:
  - name: db-down
    when: { source: alertmanager, labels: { team: db } }
    group_by: [team]
    do:
      - declare: { scenario: database-down, name: Saving changes fails }
      - assign_roles: {}
      - open_chat_room: {}
      - draft_external: { status: investigating }
    on_resolve:
      - resolve: {}
`;

/** A request body signed as Slack signs it: v0, the timestamp and the raw body, hex HMAC-SHA256. */
function signed(body: string) {
  const at = Math.floor(Date.now() / 1000);
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': `v0=${createHmac('sha256', signingSecret).update(`v0:${at}:${body}`).digest('hex')}`,
  };
}

interface Update {
  id: string;
  status: string;
  state: string;
  audience: string;
  body: string;
}

for (const dialect of dialects) {
  test(`an Alertmanager alert to the page through a Slack room and its Approve button [${dialect.name}]`, async () => {
    const dir = tempDir('crier-alarm-slack-');
    const sqliteFile = path.join(dir, 'crier.db');
    const t = await openTestDb(
      dialect.name === 'sqlite' ? { name: 'sqlite', url: `sqlite:${sqliteFile}` } : dialect,
    );
    const smtp = await startSmtpSink();
    const slack: SlackStand = await startSlackStand();
    slack.users.set('ivy@acme.example', 'U0IVY');
    slack.users.set('carol@acme.example', 'U0CAROL');
    const planFile = path.join(dir, 'crier.yaml');
    fs.writeFileSync(planFile, plan(slack.apiUrl));
    const server = await startServer({
      CRIER_DATABASE_URL:
        dialect.name === 'sqlite'
          ? `sqlite:${sqliteFile}`
          : `${t.url}${t.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${t.schema}`)}`,
      CRIER_PLAN: planFile,
      CRIER_ADMIN_TOKEN: adminToken,
      CRIER_DEMO: 'false',
      CRIER_ALLOW_PRIVATE_NETWORK: 'true',
      CRIER_WORKER_POLL_MS: '100',
      SMTP_URL: smtp.url,
      SLACK_BOT_TOKEN: 'xoxb-test-token',
      SLACK_SIGNING_SECRET: signingSecret,
    });
    try {
      const api = async (method: string, url: string, body?: object) => {
        const res = await fetch(`${server.url}/api/v1${url}`, {
          method,
          headers: {
            authorization: `Bearer ${adminToken}`,
            ...(body && { 'content-type': 'application/json' }),
          },
          ...(body && { body: JSON.stringify(body) }),
        });
        return { status: res.status, body: JSON.parse(await res.text()) };
      };
      assert.equal(
        (await api('POST', '/users', { email: 'carol@acme.example', role: 'comms_lead' })).status,
        201,
      );
      assert.equal((await api('POST', '/subscribers', { email: 'customer@example.com' })).status, 201);
      const key = await api('POST', '/ingest-keys', { source: 'alertmanager' });
      assert.equal(key.status, 201, JSON.stringify(key.body));
      const alert = (body: string) =>
        fetch(`${server.url}${key.body.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });

      // The alarm: Alertmanager's documented payload, over HTTP.
      const fired = await alert(fixture('alertmanager-firing.json'));
      assert.equal(fired.status, 200, await fired.text());

      // The incident, from the scenario, with the rota's people in its roles.
      let id = '';
      await waitFor(
        async () => {
          const list = (await api('GET', '/incidents')).body as { id: string; scenario: string }[];
          id = list.find((i) => i.scenario === 'database-down')?.id ?? '';
          return id !== '';
        },
        30_000,
        'the incident declared',
      );
      const roles = (await api('GET', `/incidents/${id}/roles`)).body as { role: string; holder: string }[];
      assert.equal(roles.find((r) => r.role === 'incident_lead')?.holder, 'ivy@acme.example');
      assert.equal(roles.find((r) => r.role === 'comms_lead')?.holder, 'carol@acme.example');

      // Its room on Slack, the role holders invited.
      await waitFor(
        () => slack.calls.some((c) => c.method === 'conversations.invite'),
        30_000,
        'the room with its people',
      );
      const create = slack.calls.find((c) => c.method === 'conversations.create');
      assert.match(
        String(create?.args.name),
        new RegExp(`^inc-\\d{4}-\\d{2}-\\d{2}-saving-changes-fails-${id.slice(0, 6)}$`),
      );
      const invite = slack.calls.find((c) => c.method === 'conversations.invite');
      assert.deepEqual(String(invite?.args.users).split(',').sort(), ['U0CAROL', 'U0IVY']);

      // The customers' words wait for the comms lead; the request is in the room with its buttons.
      let draft: Update | undefined;
      await waitFor(
        async () => {
          const updates = (await api('GET', `/incidents/${id}`)).body.incident_updates as Update[];
          draft = updates.find((u) => u.audience === 'public');
          return draft !== undefined;
        },
        30_000,
        'the external draft',
      );
      assert.equal(draft?.state, 'pending_approval');
      assert.match(draft?.body ?? '', /^Saving changes fails for some customers\. We are on it\./);
      const value = `${id}:${draft?.id}`;
      await waitFor(
        () =>
          slack.calls.some(
            (c) =>
              c.method === 'chat.postMessage' &&
              JSON.stringify(c.args.blocks ?? []).includes('"action_id":"crier_approve"') &&
              JSON.stringify(c.args.blocks ?? []).includes(`"value":"${value}"`),
          ),
        30_000,
        'the approval request with buttons in the room',
      );
      const page = async () => (await fetch(`${server.url}/incidents/${id}`)).text();
      assert.doesNotMatch(await page(), /We are on it/, 'not on the page before approval');

      // Carol clicks Approve: Slack's signed callback, over HTTP.
      const click = new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: 'U0CAROL', username: 'carol' },
          trigger_id: '1.2.3',
          response_url: `${slack.url}/response/actions/1`,
          actions: [{ type: 'button', action_id: 'crier_approve', block_id: 'crier_decide', value }],
        }),
      }).toString();
      const forged = await fetch(`${server.url}/chatops/team/interaction`, {
        method: 'POST',
        headers: { ...signed(click), 'x-slack-signature': `v0=${'0'.repeat(64)}` },
        body: click,
      });
      assert.equal(forged.status, 401);
      const approved = await fetch(`${server.url}/chatops/team/interaction`, {
        method: 'POST',
        headers: signed(click),
        body: click,
      });
      assert.equal(approved.status, 200);
      assert.equal(await approved.text(), '', 'Slack takes no message in the answer to a button');
      await waitFor(() => slack.responses.length > 0, 30_000, 'the outcome on response_url');
      assert.equal(slack.responses[0]?.url, '/response/actions/1');
      // The request is settled: its message (buttons and all) is replaced with the outcome.
      assert.deepEqual(JSON.parse(slack.responses[0]?.body ?? '{}'), {
        replace_original: true,
        text: 'Approved by carol@acme.example and published.',
      });

      // Published: on the page, and to the email subscriber.
      await waitFor(async () => /We are on it/.test(await page()), 30_000, 'the page');
      await waitFor(
        () =>
          smtp.mails.some((m) => m.to.includes('customer@example.com') && /We are on it/.test(m.text ?? '')),
        30_000,
        'the email to the subscriber',
      );
      const decided = (await api('GET', '/audit?action=incident_update.approve')).body as { actor: string }[];
      assert.equal(decided[0]?.actor, 'user:carol@acme.example');

      // The alert resolves: the scenario's resolved words, waiting for the comms lead in turn.
      const resolvedBody = fixture('alertmanager-firing.json')
        .replaceAll('"status": "firing"', '"status": "resolved"')
        .replaceAll('"0001-01-01T00:00:00Z"', '"2026-12-04T10:30:00Z"');
      assert.equal((await alert(resolvedBody)).status, 200);
      let closing: Update | undefined;
      await waitFor(
        async () => {
          const updates = (await api('GET', `/incidents/${id}`)).body.incident_updates as Update[];
          closing = updates.find((u) => u.status === 'resolved');
          return closing !== undefined;
        },
        30_000,
        'the resolved draft',
      );
      assert.equal(closing?.state, 'pending_approval');
      assert.equal(closing?.body, 'Saving changes works again for every customer.');
    } finally {
      assert.equal(await server.stop('SIGTERM'), 0);
      await slack.close();
      await smtp.close();
      await t.close();
    }
  });
}
