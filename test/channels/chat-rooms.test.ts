/**
 * A room per incident, end to end through the app and its worker, against
 * local stand-ins for Slack's Web API and Mattermost's REST API: declaring
 * makes the room (named from the date and the incident), invites the role
 * holders found by email, sets the topic to the status and the next update
 * due, posts the timeline (internal updates, role changes), keeps the topic
 * in step, and archives the room once the incident is resolved and the
 * plan's days have passed (0 here). On both databases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type MattermostStand,
  type SlackStand,
  startMattermostStand,
  startSlackStand,
} from '../helpers/chat-stand.ts';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { waitFor } from '../helpers/receiver.ts';

const plan = (team: string) => `version: 1
page: { name: Room Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, internal_cadence: 30m, approval: none, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [team], chat_room_per_incident: true }
channels:
  team: ${team}
`;

let slack: SlackStand;
let mattermost: MattermostStand;
before(async () => {
  slack = await startSlackStand();
  slack.users.set('ivy@crier.test', 'U0IVY');
  slack.users.set('carol@crier.test', 'U0CAROL');
  slack.users.set('dan@crier.test', 'U0DAN');
  mattermost = await startMattermostStand();
  mattermost.users.set('ivy@crier.test', { id: 'mmivy', email: 'ivy@crier.test' });
});
after(async () => {
  await slack.close();
  await mattermost.close();
});

const body = 'Checkout is slow for some customers. Next update within 2 hours.';

for (const dialect of dialects) {
  test(`an incident's Slack room: made, people invited, topic, timeline, archived [${dialect.name}]`, async () => {
    slack.reset();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '',
        audiences: {},
        plan: plan(
          `{ type: slack, bot_token: env:SLACK_BOT_TOKEN, api_url: "${slack.apiUrl}", archive_after_days: 0 }`,
        ),
        env: { SLACK_BOT_TOKEN: 'xoxb-test-token' },
      });
      const a = app;
      const { id } = await a.declare('Checkout slow & <failing>', body);
      const posted = (text: string) =>
        slack.calls.some((c) => c.method === 'chat.postMessage' && String(c.args.text).includes(text));
      await waitFor(() => posted('Declared by'), 15_000, 'the declaration in the room');

      const methods = slack.calls.map((c) => c.method);
      assert.deepEqual(methods.slice(0, 5), [
        'conversations.create',
        'users.lookupByEmail',
        'users.lookupByEmail',
        'conversations.invite',
        'conversations.setTopic',
      ]);
      for (const call of slack.calls) {
        assert.equal(call.authorization, 'Bearer xoxb-test-token', `${call.method} carries the bot token`);
        assert.match(call.contentType ?? '', /application\/x-www-form-urlencoded/);
      }
      const create = slack.calls[0];
      const today = new Date().toISOString().slice(0, 10);
      assert.equal(create?.args.name, `inc-${today}-checkout-slow-failing-${id.slice(0, 6)}`);
      assert.equal(create?.args.is_private, 'false');
      assert.deepEqual(
        slack.calls.filter((c) => c.method === 'users.lookupByEmail').map((c) => c.args.email),
        ['ivy@crier.test', 'carol@crier.test'],
      );
      assert.deepEqual(slack.calls[3]?.args, { channel: 'C0ROOM1', users: 'U0IVY,U0CAROL', force: 'true' });
      const topic = String(slack.calls[4]?.args.topic);
      assert.match(topic, /status: investigating · SEV3 · next update due \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      const declared = slack.calls.find((c) => c.method === 'chat.postMessage');
      assert.equal(declared?.args.channel, 'C0ROOM1');
      // The incident's words are escaped for mrkdwn: nothing it says becomes a link or a mention.
      assert.match(String(declared?.args.text), /Checkout slow &amp; &lt;failing&gt;/);
      const blocks = declared?.args.blocks as { type: string }[];
      assert.deepEqual(
        blocks.map((b) => b.type),
        ['section', 'context'],
      );

      // An internal update is posted in full, and moves the topic.
      const res = await a.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: a.auth,
        payload: { status: 'identified', body: 'Found it: a bad index on orders.', audience: 'internal' },
      });
      assert.equal(res.statusCode, 201, res.body);
      await waitFor(() => posted('Found it: a bad index on orders.'), 15_000, 'the internal update');
      assert.ok(posted('Internal update by'));
      await waitFor(
        () =>
          slack.calls.some(
            (c) =>
              c.method === 'conversations.setTopic' && String(c.args.topic).includes('status: identified'),
          ),
        15_000,
        'the topic to follow the status',
      );

      // A new role holder is invited and the change is posted.
      const roles = await a.app.server.inject({
        method: 'PUT',
        url: `/api/v1/incidents/${id}/roles`,
        headers: a.auth,
        payload: { support_lead: 'dan@crier.test' },
      });
      assert.equal(roles.statusCode, 200, roles.body);
      await waitFor(() => posted('support lead: dan@crier.test'), 15_000, 'the role change');
      assert.ok(slack.calls.some((c) => c.method === 'conversations.invite' && c.args.users === 'U0DAN'));

      // Resolved: the topic says so, and with archive_after_days: 0 the room is archived.
      const resolved = await a.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/resolve`,
        headers: a.auth,
        payload: { body: 'Checkout is fast again for all customers. This incident is resolved.' },
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      await waitFor(
        () => slack.calls.some((c) => c.method === 'conversations.archive'),
        15_000,
        'the archive',
      );
      const archive = slack.calls.find((c) => c.method === 'conversations.archive');
      assert.deepEqual(archive?.args, { channel: 'C0ROOM1' });
      const room = await a.t.db
        .selectFrom('chat_rooms')
        .selectAll()
        .where('incident_id', '=', id)
        .executeTakeFirstOrThrow();
      await waitFor(
        async () =>
          (await a.t.db.selectFrom('chat_rooms').select('state').where('id', '=', room.id).executeTakeFirst())
            ?.state === 'archived',
        15_000,
        'the room to be recorded archived',
      );
      assert.ok(
        slack.calls.some(
          (c) => c.method === 'conversations.setTopic' && / · resolved$/.test(String(c.args.topic)),
        ),
      );
      // Every timeline entry was posted once.
      const texts = slack.calls
        .filter((c) => c.method === 'chat.postMessage')
        .map((c) => String(c.args.text));
      assert.equal(new Set(texts).size, texts.length, texts.join('\n---\n'));
      assert.equal(slack.calls.filter((c) => c.method === 'conversations.create').length, 1);
    } finally {
      await app?.close();
    }
  });

  test(`an incident's Mattermost room through the REST API [${dialect.name}]`, async () => {
    mattermost.reset();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '',
        audiences: {},
        plan: plan(
          `{ type: mattermost, server_url: "${mattermost.url}", bot_token: env:MM_TOKEN, team_id: team0001 }`,
        ),
        env: { MM_TOKEN: 'mm-bot-token' },
      });
      const a = app;
      const { id } = await a.declare('Login errors @channel', body);
      await waitFor(
        () => mattermost.calls.some((c) => c.path === '/api/v4/posts'),
        15_000,
        'a post in the room',
      );
      const [create, ivy, carol, member, header, post] = mattermost.calls;
      const today = new Date().toISOString().slice(0, 10);
      assert.deepEqual(create, {
        method: 'POST',
        path: '/api/v4/channels',
        authorization: 'Bearer mm-bot-token',
        body: {
          team_id: 'team0001',
          name: `inc-${today}-login-errors-channel-${id.slice(0, 6)}`,
          display_name: 'Login errors @channel',
          type: 'O',
        },
      });
      assert.equal(ivy?.path, '/api/v4/users/email/ivy%40crier.test');
      assert.equal(carol?.path, '/api/v4/users/email/carol%40crier.test');
      // Only ivy has an account: carol's 404 means nobody to invite.
      assert.deepEqual(
        [member?.method, member?.path, member?.body],
        ['POST', '/api/v4/channels/mmroom1/members', { user_id: 'mmivy' }],
      );
      assert.equal(header?.method, 'PUT');
      assert.equal(header?.path, '/api/v4/channels/mmroom1/patch');
      assert.match(JSON.stringify(header?.body), /status: investigating/);
      const message = (post?.body ?? {}) as { channel_id?: string; message?: string };
      assert.equal(message.channel_id, 'mmroom1');
      // Nobody is paged by the incident's words.
      assert.match(message.message ?? '', /Login errors @\u2060channel/);
      const resolved = await a.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/resolve`,
        headers: a.auth,
        payload: { body: 'Sign-in works again for all customers. This incident is resolved.' },
      });
      assert.equal(resolved.statusCode, 200, resolved.body);
      const archiveAt = await waitForArchiveJob(a, id);
      assert.ok(archiveAt > Date.now() + 6 * 86_400_000, 'archived 7 days after resolution by default');
    } finally {
      await app?.close();
    }
  });
}

async function waitForArchiveJob(a: PlanApp, incidentId: string): Promise<number> {
  const room = await a.t.db
    .selectFrom('chat_rooms')
    .select('id')
    .where('incident_id', '=', incidentId)
    .executeTakeFirstOrThrow();
  let runAt = 0;
  await waitFor(
    async () => {
      const job = await a.t.db
        .selectFrom('outbox_jobs')
        .select('run_at')
        .where('dedupe_key', '=', `chat.archive:${room.id}`)
        .executeTakeFirst();
      runAt = job ? Date.parse(job.run_at) : 0;
      return job !== undefined;
    },
    15_000,
    'the archive to be armed',
  );
  return runAt;
}
