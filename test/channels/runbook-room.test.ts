/**
 * The runbook step `open_chat_room`, through the app and its worker against
 * the Slack stand-in: the internal audience does not ask for a room per
 * incident, so an incident declared by hand gets none, and one a runbook
 * declares gets its room (made, role holders invited, the timeline posted)
 * because the runbook says so. A second step naming the same channel finds
 * the room open and is skipped; the step's outcome is in the run's progress
 * and the audit log. On both databases.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type SlackStand, startSlackStand } from '../helpers/chat-stand.ts';
import { dialects } from '../helpers/db.ts';
import { fixture } from '../helpers/ingest.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { waitFor } from '../helpers/receiver.ts';

const plan = (apiUrl: string) => `version: 1
page: { name: Room Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
  comms_lead: { rota: [carol@crier.test] }
severities:
  SEV3: { external_cadence: 2h, internal_cadence: 30m, approval: none, audiences: [public, internal] }
audiences:
  public: { channels: [status-page] }
  internal: { channels: [team] }
channels:
  team: { type: slack, bot_token: env:SLACK_BOT_TOKEN, api_url: "${apiUrl}" }
scenarios:
  db-down:
    severity: SEV3
    impact: major
    templates:
      investigating: "Reports are failing. Next update within 2 hours."
      resolved: Reports work again for all customers.
runbooks:
  - name: db
    when: { source: alertmanager }
    do:
      - declare: { scenario: db-down }
      - assign_roles: {}
      - open_chat_room: {}
      - open_chat_room: { channel: team }
`;

let slack: SlackStand;
before(async () => {
  slack = await startSlackStand();
  slack.users.set('ivy@crier.test', 'U0IVY');
  slack.users.set('carol@crier.test', 'U0CAROL');
});
after(() => slack.close());

interface Run {
  steps: { kind: string; state: string; outcome: string | null }[];
}

for (const dialect of dialects) {
  test(`a runbook opens the incident's room where no room is kept for every incident [${dialect.name}]`, async () => {
    slack.reset();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '',
        audiences: {},
        plan: plan(slack.apiUrl),
        env: { SLACK_BOT_TOKEN: 'xoxb-test-token' },
      });
      const a = app;
      const inject = (method: 'GET' | 'POST', url: string, payload?: object) =>
        a.app.server.inject({ method, url, headers: a.auth, ...(payload && { payload }) });

      // By hand: no room, since the internal audience does not ask for one per incident.
      const byHand = await a.declare('Checkout slow', 'Checkout is slow. Next update within 2 hours.');

      const key = await inject('POST', '/api/v1/ingest-keys', { source: 'alertmanager' });
      assert.equal(key.statusCode, 201, key.body);
      const fired = await a.app.server.inject({
        method: 'POST',
        url: key.json().path,
        headers: { 'content-type': 'application/json' },
        payload: fixture('alertmanager-firing.json'),
      });
      assert.equal(fired.statusCode, 200, fired.body);

      const runOf = async (): Promise<{ incident: string; run: Run } | null> => {
        const list = (await inject('GET', '/api/v1/incidents')).json() as { id: string }[];
        const incident = list.find((i) => i.id !== byHand.id);
        if (!incident) return null;
        const [run] = (await inject('GET', `/api/v1/incidents/${incident.id}/runbook-runs`)).json() as Run[];
        return run ? { incident: incident.id, run } : null;
      };
      let found: { incident: string; run: Run } | null = null;
      await waitFor(
        async () => {
          found = await runOf();
          return found?.run.steps.every((s) => s.state !== 'pending') === true;
        },
        30_000,
        'the runbook to run',
      );
      const { incident, run } = found as unknown as { incident: string; run: Run };
      assert.deepEqual(
        run.steps.map((s) => [s.kind, s.state, s.outcome]),
        [
          ['declare', 'done', `declared ${incident}`],
          ['assign_roles', 'done', 'incident_lead ivy@crier.test, comms_lead carol@crier.test'],
          ['open_chat_room', 'done', 'room opening on team'],
          ['open_chat_room', 'skipped', 'room open already on team'],
        ],
      );

      // The room is made once, the role holders invited, and the timeline posted to it.
      await waitFor(
        () =>
          slack.calls.some(
            (c) => c.method === 'chat.postMessage' && /Runbook db|db-down|Declared/.test(String(c.args.text)),
          ),
        20_000,
        'the timeline in the room',
      );
      const creates = slack.calls.filter((c) => c.method === 'conversations.create');
      assert.equal(creates.length, 1, 'one room, for the runbook’s incident only');
      assert.match(
        String(creates[0]?.args.name),
        new RegExp(`^inc-\\d{4}-\\d{2}-\\d{2}-.*-${incident.slice(0, 6)}$`),
      );
      await waitFor(
        () => slack.calls.some((c) => c.method === 'conversations.invite'),
        20_000,
        'the role holders invited',
      );
      const invite = slack.calls.find((c) => c.method === 'conversations.invite');
      assert.deepEqual(String(invite?.args.users).split(',').sort(), ['U0CAROL', 'U0IVY']);
      const rooms = await a.app.db.selectFrom('chat_rooms').select(['incident_id', 'channel']).execute();
      assert.deepEqual(rooms, [{ incident_id: incident, channel: 'team' }]);

      const audited = await a.app.db
        .selectFrom('audit_log')
        .select(['actor', 'after'])
        .where('action', '=', 'runbook.step')
        .execute();
      const rooming = audited.filter((e) => String(e.after).includes('open_chat_room'));
      assert.equal(rooming.length, 2);
      assert.ok(
        rooming.every((e) => e.actor === 'runbook:db'),
        'audited under the runbook’s name',
      );
    } finally {
      await app?.close();
    }
  });
}
