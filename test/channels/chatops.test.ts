/**
 * Chat-ops through the app, against the Slack stand-in: the `/crier` slash
 * command and the Approve / Reject buttons of an approval request posted in
 * the incident's room (Reject opens a form for the comment: views.open, then
 * view_submission). A decision that settles the request replaces its message,
 * buttons and all: an approval through the click's response_url
 * (`replace_original`), a rejection through the form, which has no
 * response_url, by chat.update on the channel and `ts` the click gave, kept in
 * the form's private_metadata. Every request is signed as Slack signs them; an
 * unsigned, wrongly signed or stale one is refused and changes nothing. The
 * Slack user acts as the Crier user with the same email, with exactly that
 * user's role. Mattermost's slash command with its token. Both databases.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, test } from 'node:test';
import { addUser } from '../../src/services/users/users.ts';
import {
  type MattermostStand,
  type SlackStand,
  startMattermostStand,
  startSlackStand,
} from '../helpers/chat-stand.ts';
import { dialects, testCtx } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { waitFor } from '../helpers/receiver.ts';

const signingSecret = 'e2b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5';

const plan = (slackApi: string, mattermost: string) => `version: 1
page: { name: Chat Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV2: { external_cadence: 1h, approval: comms_lead, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [team, mm], chat_room_per_incident: true }
channels:
  team: { type: slack, bot_token: env:SLACK_BOT_TOKEN, signing_secret: env:SLACK_SIGNING_SECRET, api_url: "${slackApi}" }
  mm: { type: mattermost, server_url: "${mattermost}", bot_token: env:MM_TOKEN, team_id: team0001, command_token: env:MM_CMD }
`;

let slack: SlackStand;
let mm: MattermostStand;
before(async () => {
  slack = await startSlackStand();
  for (const [email, id] of [
    ['ivy@crier.test', 'U0IVY'],
    ['carol@crier.test', 'U0CAROL'],
    ['victor@crier.test', 'U0VICTOR'],
    ['mallory@elsewhere.test', 'U0MAL'],
  ] as const)
    slack.users.set(email, id);
  mm = await startMattermostStand();
  mm.users.set('ivy@crier.test', { id: 'mmivy', email: 'ivy@crier.test' });
});
after(async () => {
  await slack.close();
  await mm.close();
});

/** A request body signed as Slack signs it (its documented v0 scheme, computed here independently). */
function signed(body: string, at = Math.floor(Date.now() / 1000), secret = signingSecret) {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${at}:${body}`).digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(at),
    'x-slack-signature': signature,
  };
}

const command = (user: string, text: string, channel = 'C0GENERAL') =>
  new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0001',
    channel_id: channel,
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/crier',
    text,
    response_url: `${slack.url}/response/commands/1`,
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
  }).toString();

const interaction = (payload: object) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();

for (const dialect of dialects) {
  test(`Slack: /crier and the approval buttons, signed, as the matching Crier user [${dialect.name}]`, async () => {
    slack.reset();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '',
        audiences: {},
        plan: plan(slack.apiUrl, mm.url),
        env: {
          SLACK_BOT_TOKEN: 'xoxb-test-token',
          SLACK_SIGNING_SECRET: signingSecret,
          MM_TOKEN: 'mm-bot-token',
          MM_CMD: 'mm-cmd-token',
          CRIER_ALLOW_PRIVATE_NETWORK: 'true',
        },
      });
      const a = app;
      const admin = testCtx(a.t.db);
      await addUser(admin, { email: 'carol@crier.test', role: 'comms_lead' });
      await addUser(admin, { email: 'victor@crier.test', role: 'viewer' });
      const post = (url: string, body: string, headers: Record<string, string>) =>
        a.app.server.inject({ method: 'POST', url, payload: body, headers });
      const incidents = async () => (await a.t.db.selectFrom('incidents').select('id').execute()).length;

      // Refused, and nothing changes: unsigned, wrongly signed, signed with another secret, stale, altered.
      const declare = command('U0CAROL', 'declare SEV2 Payments failing');
      const refusals = [
        { 'content-type': 'application/x-www-form-urlencoded' },
        { ...signed(declare), 'x-slack-signature': `v0=${'0'.repeat(64)}` },
        signed(declare, undefined, 'not-the-signing-secret'),
        signed(declare, Math.floor(Date.now() / 1000) - 6 * 60),
      ];
      for (const headers of refusals) {
        const res = await post('/chatops/team/command', declare, headers);
        assert.equal(res.statusCode, 401, res.body);
        assert.equal(JSON.parse(res.body).error.code, 'signature_invalid');
      }
      const altered = await post(
        '/chatops/team/command',
        declare.replace('Payments', 'Refunds'),
        signed(declare),
      );
      assert.equal(altered.statusCode, 401);
      assert.equal(await incidents(), 0, 'no refused request declared anything');
      assert.equal((await post('/chatops/nothing/command', declare, signed(declare))).statusCode, 404);

      // Someone with no Crier user, and a viewer: told why, nothing changes.
      const stranger = command('U0MAL', 'declare SEV2 Payments failing');
      const strangerRes = await post('/chatops/team/command', stranger, signed(stranger));
      assert.equal(strangerRes.statusCode, 200);
      assert.match(
        JSON.parse(strangerRes.body).text,
        /No Crier user has the email address mallory@elsewhere\.test/,
      );
      const viewer = command('U0VICTOR', 'declare SEV2 Payments failing');
      const viewerRes = await post('/chatops/team/command', viewer, signed(viewer));
      assert.match(JSON.parse(viewerRes.body).text, /^Not done: /);
      assert.equal(await incidents(), 0);

      // The comms lead declares from Slack; the audit log says it was carol.
      const ok = await post('/chatops/team/command', declare, signed(declare));
      assert.equal(ok.statusCode, 200, ok.body);
      const answer = JSON.parse(ok.body) as { response_type: string; text: string };
      assert.equal(answer.response_type, 'ephemeral');
      assert.match(answer.text, /^Declared: Payments failing \([0-9a-z]{12}\): investigating, SEV2/);
      const incident = await a.t.db.selectFrom('incidents').selectAll().executeTakeFirstOrThrow();
      assert.equal(incident.created_by, 'user:carol@crier.test');
      assert.equal(incident.severity, 'SEV2');

      // The first notice waits for the comms lead; carol wrote it, so an update by an admin is used instead.
      const draft = await a.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/updates`,
        headers: a.auth,
        payload: {
          status: 'identified',
          body: 'Card payments fail for some customers. Next update within 1 hour.',
        },
      });
      assert.equal(draft.statusCode, 201, draft.body);
      const updateId = (JSON.parse(draft.body) as { id: string }).id;
      const value = `${incident.id}:${updateId}`;
      // The approval request reaches the room with its buttons.
      await waitFor(
        () =>
          slack.calls.some(
            (c) =>
              c.method === 'chat.postMessage' &&
              JSON.stringify(c.args.blocks ?? []).includes(`"value":"${value}"`),
          ),
        15_000,
        'the approval request with buttons in the room',
      );
      const room = await a.t.db
        .selectFrom('chat_rooms')
        .select('room_id')
        .where('channel', '=', 'team')
        .executeTakeFirstOrThrow();

      // /crier status in the room answers for the room's incident.
      const status = command('U0CAROL', 'status', room.room_id ?? '');
      const statusRes = await post('/chatops/team/command', status, signed(status));
      assert.match(
        JSON.parse(statusRes.body).text,
        /^Payments failing .*\ncommunications lead: carol@crier\.test/s,
      );

      // Reject: the form opens (views.open with the trigger), and its submission rejects with the comment.
      // The click says where its message is (block_actions: container, channel, message).
      const roomId = room.room_id ?? '';
      const ts = '1700000000.000100';
      const reject = interaction({
        type: 'block_actions',
        user: { id: 'U0CAROL', username: 'carol' },
        trigger_id: '12466734323.1395872398.0d9d4f1d2d5e',
        response_url: `${slack.url}/response/actions/1`,
        container: { type: 'message', message_ts: ts, channel_id: roomId, is_ephemeral: false },
        channel: { id: roomId, name: 'inc-payments' },
        message: { type: 'message', ts, text: 'Approval asked' },
        actions: [{ type: 'button', action_id: 'crier_reject', block_id: 'crier_decide', value }],
      });
      const rejectRes = await post('/chatops/team/interaction', reject, signed(reject));
      assert.equal(rejectRes.statusCode, 200, rejectRes.body);
      const opened = slack.calls.find((c) => c.method === 'views.open');
      assert.equal(opened?.args.trigger_id, '12466734323.1395872398.0d9d4f1d2d5e');
      const view = opened?.args.view as { type: string; callback_id: string; private_metadata: string };
      assert.deepEqual([view.type, view.callback_id], ['modal', 'crier_reject']);
      // The form keeps the draft and the request's message for the submission, which has no response_url.
      assert.deepEqual(JSON.parse(view.private_metadata), { value, room: roomId, ts });
      const submission = (comment: string) =>
        interaction({
          type: 'view_submission',
          user: { id: 'U0CAROL' },
          view: {
            id: 'V0MODAL',
            callback_id: 'crier_reject',
            private_metadata: view.private_metadata,
            state: { values: { comment: { comment: { type: 'plain_text_input', value: comment } } } },
          },
        });
      const empty = submission('  ');
      const emptyRes = await post('/chatops/team/interaction', empty, signed(empty));
      assert.equal(JSON.parse(emptyRes.body).response_action, 'errors');
      const state = async () =>
        (
          await a.t.db
            .selectFrom('incident_updates')
            .select('state')
            .where('id', '=', updateId)
            .executeTakeFirstOrThrow()
        ).state;
      assert.equal(await state(), 'pending_approval');
      const forged = submission('Say which cards.');
      assert.equal(
        (
          await post('/chatops/team/interaction', forged, {
            'content-type': 'application/x-www-form-urlencoded',
          })
        ).statusCode,
        401,
      );
      assert.equal(await state(), 'pending_approval', 'an unsigned form rejects nothing');
      assert.ok(!slack.calls.some((c) => c.method === 'chat.update'), 'nothing replaced yet');
      const rejected = await post('/chatops/team/interaction', forged, signed(forged));
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.body, '');
      assert.equal(await state(), 'rejected');
      // The rejection replaces the request's message (chat.update, the bot's token): the outcome,
      // naming who decided, and `blocks: []`, which removes the blocks and so the buttons.
      await waitFor(
        () => slack.calls.some((c) => c.method === 'chat.update'),
        15_000,
        'the rejected request replaced',
      );
      const updated = slack.calls.filter((c) => c.method === 'chat.update');
      assert.equal(updated.length, 1);
      assert.equal(updated[0]?.authorization, 'Bearer xoxb-test-token');
      assert.deepEqual(updated[0]?.args, {
        channel: roomId,
        ts,
        text: 'Rejected by carol@crier.test; its authors are told why.',
        blocks: [],
      });
      assert.ok(!slack.responses.some((r) => r.url === '/response/actions/1'), 'not through response_url');

      // Approve: the admin submits again; an unsigned click does nothing, a signed one approves and publishes.
      const again = await a.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/updates/${updateId}/submit`,
        headers: a.auth,
        payload: {},
      });
      assert.equal(again.statusCode, 200, again.body);
      const approve = interaction({
        type: 'block_actions',
        user: { id: 'U0CAROL' },
        trigger_id: '1.2.3',
        response_url: `${slack.url}/response/actions/2`,
        actions: [{ type: 'button', action_id: 'crier_approve', block_id: 'crier_decide', value }],
      });
      const stale = await post(
        '/chatops/team/interaction',
        approve,
        signed(approve, Math.floor(Date.now() / 1000) - 301),
      );
      assert.equal(stale.statusCode, 401);
      assert.equal(await state(), 'pending_approval');
      const approved = await post('/chatops/team/interaction', approve, signed(approve));
      assert.equal(approved.statusCode, 200, approved.body);
      assert.equal(approved.body, '', 'Slack takes no message in the answer to a button');
      assert.equal(await state(), 'published');
      // The outcome goes to the click's response_url, as Slack's message response: POST, JSON. It
      // settles the request, so it replaces the message in the room (replace_original), its buttons
      // with it: the outcome's text and nothing else.
      await waitFor(
        () => slack.responses.some((r) => r.url === '/response/actions/2'),
        15_000,
        'the outcome on response_url',
      );
      const told = slack.responses.filter((r) => r.url === '/response/actions/2');
      assert.equal(told.length, 1);
      assert.equal(told[0]?.method, 'POST');
      assert.equal(told[0]?.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(told[0]?.body ?? '{}'), {
        replace_original: true,
        text: 'Approved by carol@crier.test and published.',
      });

      // A click that changes nothing (the draft is out already) is told to the one who clicked
      // only; the message stays as it is.
      const late = interaction({
        type: 'block_actions',
        user: { id: 'U0CAROL' },
        trigger_id: '1.2.4',
        response_url: `${slack.url}/response/actions/3`,
        actions: [{ type: 'button', action_id: 'crier_approve', block_id: 'crier_decide', value }],
      });
      const lateRes = await post('/chatops/team/interaction', late, signed(late));
      assert.equal(lateRes.statusCode, 200, lateRes.body);
      await waitFor(
        () => slack.responses.some((r) => r.url === '/response/actions/3'),
        15_000,
        'the refusal on response_url',
      );
      const refused = JSON.parse(
        slack.responses.find((r) => r.url === '/response/actions/3')?.body ?? '{}',
      ) as Record<string, unknown>;
      assert.deepEqual(Object.keys(refused).sort(), ['response_type', 'text']);
      assert.equal(refused.response_type, 'ephemeral');
      assert.match(String(refused.text), /^Not done: /);
      const decision = await a.t.db
        .selectFrom('update_decisions')
        .select(['actor', 'decision'])
        .where('update_id', '=', updateId)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(decision, { actor: 'user:carol@crier.test', decision: 'approve' });
    } finally {
      await app?.close();
    }
  });

  test(`Mattermost: /crier with the command token [${dialect.name}]`, async () => {
    mm.reset();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '',
        audiences: {},
        plan: plan(slack.apiUrl, mm.url),
        env: {
          SLACK_BOT_TOKEN: 'xoxb-test-token',
          SLACK_SIGNING_SECRET: signingSecret,
          MM_TOKEN: 'mm-bot-token',
          MM_CMD: 'mm-cmd-token',
        },
      });
      const a = app;
      await addUser(testCtx(a.t.db), { email: 'ivy@crier.test', role: 'incident_lead' });
      const body = (token: string) =>
        new URLSearchParams({
          token,
          user_id: 'mmivy',
          channel_id: 'town-square',
          command: '/crier',
          text: 'declare Search is down',
          response_url: `${mm.url}/response/1`,
        }).toString();
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const refused = await a.app.server.inject({
        method: 'POST',
        url: '/chatops/mm/command',
        payload: body('guess'),
        headers: form,
      });
      assert.equal(refused.statusCode, 401);
      assert.equal((await a.t.db.selectFrom('incidents').select('id').execute()).length, 0);
      const ok = await a.app.server.inject({
        method: 'POST',
        url: '/chatops/mm/command',
        payload: body('mm-cmd-token'),
        headers: { ...form, authorization: 'Token mm-cmd-token' },
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.match(JSON.parse(ok.body).text, /^Declared: Search is down/);
      assert.ok(
        mm.calls.some((c) => c.method === 'GET' && c.path === '/api/v4/users/mmivy'),
        'the user looked up by id',
      );
      const incident = await a.t.db.selectFrom('incidents').select('created_by').executeTakeFirstOrThrow();
      assert.equal(incident.created_by, 'user:ivy@crier.test');
    } finally {
      await app?.close();
    }
  });
}
