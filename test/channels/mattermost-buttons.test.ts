/**
 * Approve / Reject buttons on Mattermost, against the Mattermost stand-in:
 * an approval request posted in the incident's room carries two interactive
 * message buttons whose `integration.url` is Crier's interaction route and
 * whose `context` names the draft with the install's proof. A click, posted
 * as Mattermost posts it (JSON, `user_id` and the button's `context`),
 * approves as the Crier user with the chat user's email; a request with no
 * proof, a forged proof or a proof for another draft is refused (401) and
 * changes nothing. A decision that settles the request replaces its post,
 * buttons and all, as Mattermost's integration action response documents
 * (`update` with the new `message` and `props: {}`, and `ephemeral_text` for
 * the one who clicked); a refusal or an approval that waits for another
 * approver answers the clicker only. Reject opens Mattermost's dialog for
 * the comment, and its rejection edits the post (PUT /posts/{id}/patch).
 * Both databases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { mattermostRooms } from '../../src/channels/mattermost-rooms.ts';
import { addUser } from '../../src/services/users/users.ts';
import { type MattermostStand, startMattermostStand } from '../helpers/chat-stand.ts';
import { dialects, testCtx } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { waitFor } from '../helpers/receiver.ts';

const plan = (mattermost: string) => `version: 1
page: { name: Chat Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV1: { external_cadence: 1h, approval: { any_of: [comms_lead, incident_lead], count: 2 }, audiences: [public, internal] }
  SEV2: { external_cadence: 1h, approval: comms_lead, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [mm], chat_room_per_incident: true }
channels:
  mm: { type: mattermost, server_url: "${mattermost}", bot_token: env:MM_TOKEN, team_id: team0001, command_token: env:MM_CMD }
`;

let mm: MattermostStand;
before(async () => {
  mm = await startMattermostStand();
  mm.users.set('carol@crier.test', { id: 'mmcarol', email: 'carol@crier.test' });
  mm.users.set('victor@crier.test', { id: 'mmvictor', email: 'victor@crier.test' });
  mm.users.set('ivy@crier.test', { id: 'mmivy', email: 'ivy@crier.test' });
});
after(() => mm.close());

interface Action {
  id: string;
  name: string;
  integration: { url: string; context: { decision: string; value: string; proof: string } };
}

/** A click as Mattermost's server posts it to the button's integration URL (PostActionIntegrationRequest). */
const click = (user: string, context: object, post = 'post1', room = 'mmroom1') =>
  JSON.stringify({
    user_id: user,
    user_name: user,
    channel_id: room,
    channel_name: 'inc-room',
    team_id: 'team0001',
    team_domain: 'acme',
    post_id: post,
    trigger_id: 'trigger1',
    type: '',
    data_source: '',
    context,
  });

/** The id of the post in the stand whose buttons name this draft. */
const postOf = (value: string) =>
  [...mm.posts.values()].find((p) => JSON.stringify(p.props ?? {}).includes(`"value":"${value}"`))?.id as
    | string
    | undefined;

for (const dialect of dialects) {
  test(`Mattermost: Approve and Reject buttons, proved by the install's key [${dialect.name}]`, async () => {
    mm.reset();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '',
        audiences: {},
        plan: plan(mm.url),
        env: { MM_TOKEN: 'mm-bot-token', MM_CMD: 'mm-cmd-token' },
      });
      const a = app;
      await addUser(testCtx(a.t.db), { email: 'carol@crier.test', role: 'comms_lead' });
      await addUser(testCtx(a.t.db), { email: 'victor@crier.test', role: 'viewer' });
      const declared = await a.app.server.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: a.auth,
        payload: {
          name: 'Payments failing',
          severity: 'SEV2',
          body: 'Card payments fail for some customers. Next update within 1 hour.',
        },
      });
      assert.equal(declared.statusCode, 201, declared.body);
      const incident = declared.json() as { id: string; incident_updates: { id: string; state: string }[] };
      const update = incident.incident_updates[0];
      assert.equal(update?.state, 'pending_approval');
      const value = `${incident.id}:${update?.id}`;

      // The approval request in the room carries the two buttons.
      const withButtons = () =>
        mm.calls.find(
          (c) =>
            c.method === 'POST' &&
            c.path === '/api/v4/posts' &&
            JSON.stringify(c.body ?? {}).includes('"integration"'),
        );
      await waitFor(() => withButtons() !== undefined, 15_000, 'the approval request with buttons');
      const body = withButtons()?.body as { props: { attachments: { actions: Action[] }[] } };
      const actions = body.props.attachments[0]?.actions ?? [];
      assert.deepEqual(
        actions.map((b) => [b.id, b.name, b.integration.url, b.integration.context.decision]),
        [
          ['approve', 'Approve', 'https://status.crier.test/chatops/mm/interaction', 'approve'],
          ['reject', 'Reject', 'https://status.crier.test/chatops/mm/interaction', 'reject'],
        ],
      );
      const context = actions[0]?.integration.context;
      assert.equal(context?.value, value);
      assert.match(context?.proof ?? '', /^[A-Za-z0-9_-]{43}$/);
      const postId = postOf(value) ?? '';
      assert.ok(postId, 'the request is a post of the stand');

      const post = (payload: string) =>
        a.app.server.inject({
          method: 'POST',
          url: '/chatops/mm/interaction',
          payload,
          headers: { 'content-type': 'application/json' },
        });
      const state = async () =>
        (
          await a.t.db
            .selectFrom('incident_updates')
            .select('state')
            .where('id', '=', update?.id ?? '')
            .executeTakeFirstOrThrow()
        ).state;

      // Refused, changing nothing: no proof, a forged one, one for another draft, and not JSON at all.
      const other = `${incident.id}:00000000000000000000000000`;
      for (const forged of [
        { decision: 'approve', value },
        { decision: 'approve', value, proof: 'A'.repeat(43) },
        { decision: 'approve', value: other, proof: context?.proof },
      ]) {
        const res = await post(click('mmcarol', forged));
        assert.equal(res.statusCode, 401, res.body);
        assert.equal(res.json().error.code, 'signature_invalid');
      }
      const form = await a.app.server.inject({
        method: 'POST',
        url: '/chatops/mm/interaction',
        payload: `context=${encodeURIComponent(JSON.stringify(context))}&user_id=mmcarol`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(form.statusCode, 401, form.body);
      assert.equal(await state(), 'pending_approval');

      // A viewer's click is answered, not obeyed.
      // A viewer's click is answered to the viewer only: no update, so the buttons stay.
      const viewer = await post(click('mmvictor', context ?? {}, postId));
      assert.equal(viewer.statusCode, 200, viewer.body);
      assert.deepEqual(Object.keys(viewer.json()), ['ephemeral_text']);
      assert.match(viewer.json().ephemeral_text, /^Not done: /);

      // Reject opens Mattermost's dialog for the comment, its state carrying the proof back.
      const reject = await post(click('mmcarol', actions[1]?.integration.context ?? {}, postId));
      assert.equal(reject.statusCode, 200, reject.body);
      const opened = mm.calls.find((c) => c.path === '/api/v4/actions/dialogs/open');
      const dialog = opened?.body as {
        trigger_id: string;
        url: string;
        dialog: { elements: { name: string }[]; state: string };
      };
      assert.equal(dialog.trigger_id, 'trigger1');
      assert.equal(dialog.url, 'https://status.crier.test/chatops/mm/interaction');
      assert.deepEqual(
        dialog.dialog.elements.map((e) => e.name),
        ['comment'],
      );
      // The state carries the request's post too, so the rejection can replace it.
      assert.deepEqual(JSON.parse(dialog.dialog.state), {
        value,
        proof: context?.proof,
        room: 'mmroom1',
        post: postId,
      });
      const submit = (state: string, comment: string, cancelled = false) =>
        post(
          JSON.stringify({
            type: 'dialog_submission',
            callback_id: 'crier_reject',
            state,
            user_id: 'mmcarol',
            channel_id: 'mmroom1',
            team_id: 'team0001',
            submission: { comment },
            cancelled,
          }),
        );
      const forgedState = JSON.stringify({ value, proof: 'B'.repeat(43) });
      assert.equal((await submit(forgedState, 'Say which region.')).statusCode, 401);
      const empty = await submit(dialog.dialog.state, '  ');
      assert.equal(empty.statusCode, 200);
      assert.deepEqual(empty.json().errors, { comment: 'Say what should change.' });
      assert.equal((await submit(dialog.dialog.state, '', true)).statusCode, 200);
      assert.equal(await state(), 'pending_approval', 'nothing decided yet');

      // The comms lead approves: published, as carol. It settles the request, so the answer
      // replaces the post (`update`: the outcome as its message, `props: {}` clearing the
      // attachments and so the buttons) and tells carol too.
      const approved = await post(click('mmcarol', context ?? {}, postId));
      assert.equal(approved.statusCode, 200, approved.body);
      assert.deepEqual(approved.json(), {
        update: { message: 'Approved by carol@crier.test and published.', props: {} },
        ephemeral_text: 'Approved by carol@crier.test and published.',
      });
      assert.equal(await state(), 'published');
      // A later click on a stale copy of the buttons is refused to the clicker alone.
      const late = await post(click('mmcarol', context ?? {}, postId));
      assert.deepEqual(Object.keys(late.json()), ['ephemeral_text']);
      assert.match(late.json().ephemeral_text, /^Not done: /);
      const decision = await a.t.db
        .selectFrom('update_decisions')
        .select(['actor', 'decision'])
        .executeTakeFirstOrThrow();
      assert.deepEqual(decision, { actor: 'user:carol@crier.test', decision: 'approve' });

      // A second draft: carol rejects it through the dialog, with her comment.
      const next = await a.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${incident.id}/updates`,
        headers: a.auth,
        payload: {
          status: 'identified',
          body: 'Card payments still fail for some customers; we found the cause. Next update within 1 hour.',
        },
      });
      assert.equal(next.statusCode, 201, next.body);
      const nextId = (next.json() as { id: string }).id;
      const nextValue = `${incident.id}:${nextId}`;
      const nextButtons = () =>
        mm.calls.find(
          (c) =>
            c.path === '/api/v4/posts' && JSON.stringify(c.body ?? {}).includes(`"value":"${nextValue}"`),
        );
      await waitFor(() => nextButtons() !== undefined, 15_000, 'the second approval request');
      const nextBody = nextButtons()?.body as { props: { attachments: { actions: Action[] }[] } };
      const nextProof = nextBody.props.attachments[0]?.actions[1]?.integration.context.proof;
      const nextPost = postOf(nextValue) ?? '';
      const rejected = await submit(
        JSON.stringify({ value: nextValue, proof: nextProof, room: 'mmroom1', post: nextPost }),
        'Name the region.',
      );
      assert.equal(rejected.statusCode, 200, rejected.body);
      assert.equal(rejected.body, '');
      // The dialog's answer cannot update a post: Crier edits it, the outcome in place of the
      // request and its props (the buttons) cleared.
      const patchPath = `/api/v4/posts/${nextPost}/patch`;
      await waitFor(
        () => mm.calls.some((c) => c.method === 'PUT' && c.path === patchPath),
        15_000,
        'the rejected request replaced',
      );
      const patch = mm.calls.find((c) => c.method === 'PUT' && c.path === patchPath);
      assert.equal(patch?.authorization, 'Bearer mm-bot-token');
      assert.deepEqual(patch?.body, {
        message: 'Rejected by carol@crier.test; its authors are told why.',
        props: {},
      });
      const row = await a.t.db
        .selectFrom('update_decisions')
        .select(['actor', 'decision', 'comment'])
        .where('update_id', '=', nextId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, {
        actor: 'user:carol@crier.test',
        decision: 'reject',
        comment: 'Name the region.',
      });

      // Two approvers needed (SEV1): the first approval leaves the buttons for the second.
      await addUser(testCtx(a.t.db), { email: 'ivy@crier.test', role: 'incident_lead' });
      const sev1 = await a.app.server.inject({
        method: 'POST',
        url: '/api/v1/incidents',
        headers: a.auth,
        payload: { name: 'Login failing', severity: 'SEV1', body: 'Logins fail. Next update within 1 hour.' },
      });
      assert.equal(sev1.statusCode, 201, sev1.body);
      const sev1Incident = sev1.json() as { id: string; incident_updates: { id: string }[] };
      const sev1Value = `${sev1Incident.id}:${sev1Incident.incident_updates[0]?.id}`;
      await waitFor(() => postOf(sev1Value) !== undefined, 15_000, 'the SEV1 approval request');
      const sev1Post = postOf(sev1Value) ?? '';
      const sev1Room = String(mm.posts.get(sev1Post)?.channel_id);
      const sev1Context = (
        mm.posts.get(sev1Post) as unknown as { props: { attachments: { actions: Action[] }[] } }
      ).props.attachments[0]?.actions[0]?.integration.context;
      const first = await post(click('mmcarol', sev1Context ?? {}, sev1Post, sev1Room));
      assert.deepEqual(first.json(), { ephemeral_text: 'Approved; the draft waits for another approval.' });
      const second = await post(click('mmivy', sev1Context ?? {}, sev1Post, sev1Room));
      assert.deepEqual(second.json(), {
        update: { message: 'Approved by ivy@crier.test and published.', props: {} },
        ephemeral_text: 'Approved by ivy@crier.test and published.',
      });
    } finally {
      await app?.close();
    }
  });
}

test('Mattermost: a rejection edits only a post in its room that still carries its draft’s buttons', async () => {
  mm.reset();
  const side = mattermostRooms(
    {
      server_url: mm.url,
      bot_token: 'mm-bot-token',
      team_id: 'team0001',
      command_token: 'mm-cmd-token',
      archive_after_days: 7,
    },
    { allowPrivateNetwork: true, userAgent: 'crier-test' },
  );
  try {
    const chatops = side.chatops;
    assert.ok(chatops);
    const posted = await side.rooms.post('mmroom1', {
      title: 'Approval asked',
      text: 'A draft waits.',
      decide: 'inc000000001:upd000000001',
      action: { url: 'https://status.crier.test/chatops/mm/interaction', proof: 'p'.repeat(43) },
    });
    assert.ok(posted.ok);
    const id = postOf('inc000000001:upd000000001') ?? '';
    const puts = () => mm.calls.filter((c) => c.method === 'PUT').length;
    // Another draft, another room, a post that does not exist: nothing is edited.
    await chatops.settle({ room: 'mmroom1', id }, 'inc000000001:upd000000002', 'Rejected by mallory.');
    await chatops.settle({ room: 'mmroom2', id }, 'inc000000001:upd000000001', 'Rejected by mallory.');
    await assert.rejects(
      chatops.settle({ room: 'mmroom1', id: 'nopost' }, 'inc000000001:upd000000001', 'Rejected.'),
    );
    assert.equal(puts(), 0);
    // Its own draft in its own room: the post says the outcome, its buttons gone.
    await chatops.settle(
      { room: 'mmroom1', id },
      'inc000000001:upd000000001',
      'Rejected by carol@crier.test.',
    );
    assert.equal(puts(), 1);
    assert.deepEqual(
      { message: mm.posts.get(id)?.message, props: mm.posts.get(id)?.props },
      { message: 'Rejected by carol@crier.test.', props: {} },
    );
    // Settled once: a second rejection form finds no buttons and leaves the post alone.
    await chatops.settle({ room: 'mmroom1', id }, 'inc000000001:upd000000001', 'Rejected again.');
    assert.equal(puts(), 1);
  } finally {
    await side.rooms.close();
  }
});
