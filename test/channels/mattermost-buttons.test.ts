/**
 * Approve / Reject buttons on Mattermost, against the Mattermost stand-in:
 * an approval request posted in the incident's room carries two interactive
 * message buttons whose `integration.url` is Crier's interaction route and
 * whose `context` names the draft with the install's proof. A click, posted
 * as Mattermost posts it (JSON, `user_id` and the button's `context`),
 * approves as the Crier user with the chat user's email; a request with no
 * proof, a forged proof or a proof for another draft is refused (401) and
 * changes nothing. Reject points to the console for the comment. Both
 * databases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
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
});
after(() => mm.close());

interface Action {
  id: string;
  name: string;
  integration: { url: string; context: { decision: string; value: string; proof: string } };
}

/** A click as Mattermost's server posts it to the button's integration URL (PostActionIntegrationRequest). */
const click = (user: string, context: object) =>
  JSON.stringify({
    user_id: user,
    user_name: user,
    channel_id: 'mmroom1',
    channel_name: 'inc-room',
    team_id: 'team0001',
    team_domain: 'acme',
    post_id: 'post1',
    trigger_id: 'trigger1',
    type: '',
    data_source: '',
    context,
  });

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

      // A viewer's click is answered, not obeyed; Reject points to the console for the comment.
      const viewer = await post(click('mmvictor', context ?? {}));
      assert.equal(viewer.statusCode, 200, viewer.body);
      assert.match(viewer.json().ephemeral_text, /^Not done: /);
      const reject = await post(click('mmcarol', actions[1]?.integration.context ?? {}));
      assert.match(reject.json().ephemeral_text, /Reject it in the console, with a comment/);
      assert.equal(await state(), 'pending_approval');

      // The comms lead approves: published, as carol.
      const approved = await post(click('mmcarol', context ?? {}));
      assert.equal(approved.statusCode, 200, approved.body);
      assert.match(approved.json().ephemeral_text, /Approved and published/);
      assert.equal(await state(), 'published');
      const decision = await a.t.db
        .selectFrom('update_decisions')
        .select(['actor', 'decision'])
        .executeTakeFirstOrThrow();
      assert.deepEqual(decision, { actor: 'user:carol@crier.test', decision: 'approve' });
    } finally {
      await app?.close();
    }
  });
}
