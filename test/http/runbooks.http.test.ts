/**
 * Runbooks that run: alerts posted to the ingest route, the plan's runbooks
 * matching them in a real worker. A firing group declares one incident from
 * the scenario, its first notice waiting for the comms lead (SEV1) or out at
 * once (approval: none); once every alert of the group resolves, the
 * scenario's resolved words follow the same policy. `plan check` refuses a
 * runbook naming what the plan lacks, and the steps not built yet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Worker } from '../../src/delivery/worker.ts';
import { readPlan } from '../../src/plan/load.ts';
import { incidentTimeline } from '../../src/services/incidents/timeline.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { fixture, ingestKey, post } from '../helpers/ingest.ts';
import { planSecrets, sev1Plan } from '../helpers/plan.ts';
import { runbooksDone, runbookWorker } from '../helpers/runbooks.ts';

const runbooks = `
runbooks:
  - name: db-down
    when:
      source: alertmanager
      labels: { severity: critical, team: db, alertname: { pattern: "Postgres.*" } }
    group_by: [team]
    do:
      - declare: { scenario: database-degraded, name: Saving changes fails }
    on_resolve:
      - resolve: {}
  - name: memory
    when: { source: grafana, labels: { team: blue } }
    do:
      - declare: { scenario: slow-reports, severity: SEV3 }
    on_resolve:
      - resolve: {}
`;

let t: TestApp;
let worker: Worker;
for (const dialect of dialects)
  describe(dialect.name, () => {
    before(async () => {
      t = await startTestApp(dialect, { env: planSecrets });
      const applied = await t.app.server.inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: sev1Plan + runbooks },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      worker = runbookWorker(t);
    });
    after(async () => {
      await worker.stop();
      await t.close();
    });

    interface Incident {
      id: string;
      name: string;
      status: string;
      severity: string | null;
      scenario: string | null;
      incident_updates: { id: string; status: string; state: string; body: string }[];
    }

    async function incidents(): Promise<Incident[]> {
      const res = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/incidents',
        headers: t.auth('admin'),
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    }

    async function incident(id: string): Promise<Incident> {
      return (
        await t.app.server.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: t.auth('admin') })
      ).json();
    }

    const alertmanager = (status: 'firing' | 'resolved', which: number[]) => {
      const group = JSON.parse(fixture('alertmanager-firing.json'));
      group.status = status;
      group.alerts = which.map((i) => ({
        ...group.alerts[i],
        status,
        ...(status === 'resolved' && { endsAt: '2026-12-04T10:30:00Z' }),
      }));
      return JSON.stringify(group);
    };

    test('a firing Alertmanager group declares one SEV1 incident, its first notice waiting for the comms lead; resolved, the closing words wait too', async () => {
      const { path } = await ingestKey(t, 'alertmanager');
      assert.equal((await post(t, path, alertmanager('firing', [0, 1]))).statusCode, 200);
      await runbooksDone(t);
      // Repeats change nothing: no second incident.
      await post(t, path, alertmanager('firing', [0, 1]));
      await runbooksDone(t);
      const declared = (await incidents()).filter((i) => i.scenario === 'database-degraded');
      assert.equal(declared.length, 1, JSON.stringify(declared));
      const [sev1] = declared;
      assert.ok(sev1);
      assert.equal(sev1.name, 'Saving changes fails');
      assert.equal(sev1.severity, 'SEV1');
      const first = (await incident(sev1.id)).incident_updates;
      assert.deepEqual(
        first.map((u) => [u.status, u.state]),
        [['investigating', 'pending_approval']],
      );
      assert.match(first[0]?.body ?? '', /We are investigating errors/);

      // One alert of the two resolves: the incident stays as it is.
      await post(t, path, alertmanager('resolved', [0]));
      await runbooksDone(t);
      assert.equal((await incident(sev1.id)).incident_updates.length, 1);
      // The last one resolves: the scenario's resolved words, waiting for approval as the first did.
      await post(t, path, alertmanager('resolved', [1]));
      await runbooksDone(t);
      const last = (await incident(sev1.id)).incident_updates;
      const closing = last.find((u) => u.status === 'resolved');
      assert.ok(closing, JSON.stringify(last));
      assert.equal(closing.state, 'pending_approval');
      assert.match(closing.body, /Saving changes works normally again/);

      const audit = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/audit?actor=runbook:db-down',
        headers: t.auth('admin'),
      });
      const actions = (audit.json() as { action: string }[]).map((e) => e.action);
      for (const action of ['runbook.fire', 'incident_update.submit', 'runbook.resolve'])
        assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);

      // The alert fires again while the closing words wait: they are withdrawn, so no approver
      // can publish "resolved" for a live problem; the incident stays open.
      const closingId = closing.id;
      await post(t, path, alertmanager('firing', [1]));
      await runbooksDone(t);
      const live = await incident(sev1.id);
      assert.deepEqual(
        live.incident_updates.map((u) => [u.status, u.state]),
        [['investigating', 'pending_approval']],
      );
      assert.equal(live.status, 'investigating');
      const approve = await t.app.server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${sev1.id}/updates/${closingId}/approve`,
        headers: t.auth('admin'),
        payload: {},
      });
      assert.equal(approve.statusCode, 404, approve.body);
      const withdrawn = (
        await t.app.server.inject({
          method: 'GET',
          url: '/api/v1/audit?action=incident_update.withdraw',
          headers: t.auth('admin'),
        })
      ).json() as { actor: string; subject_id: string; after: { update_id: string; reason: string } }[];
      assert.equal(withdrawn.length, 1);
      assert.equal(withdrawn[0]?.actor, 'runbook:db-down');
      assert.equal(withdrawn[0]?.subject_id, sev1.id);
      assert.equal(withdrawn[0]?.after.update_id, closingId);
      assert.match(
        withdrawn[0]?.after.reason ?? '',
        /alertmanager alert "PostgreSQL replica is down" fired again/,
      );
      const timeline = await incidentTimeline(t.app.db, sev1.id);
      const entry = timeline.find((e) => e.action === 'incident_update.withdraw');
      assert.match(entry?.note ?? '', /fired again before it was published/, 'on the incident’s timeline');

      // Resolved again: fresh closing words, waiting for approval.
      await post(t, path, alertmanager('resolved', [1]));
      await runbooksDone(t);
      const again = (await incident(sev1.id)).incident_updates.filter((u) => u.status === 'resolved');
      assert.deepEqual(
        again.map((u) => u.state),
        ['pending_approval'],
      );
      assert.notEqual(again[0]?.id, closingId);
    });

    test('with approval: none the runbook’s incident is on the page at once, and resolves when its alerts do', async () => {
      const { path } = await ingestKey(t, 'grafana');
      const firing = fixture('grafana-firing.json');
      assert.equal((await post(t, path, firing)).statusCode, 200);
      await runbooksDone(t);
      const declared = (await incidents()).filter((i) => i.scenario === 'slow-reports');
      assert.equal(declared.length, 1, 'both alerts (team blue) joined one incident');
      const [sev3] = declared;
      assert.ok(sev3);
      assert.equal(sev3.severity, 'SEV3');
      assert.equal((await incident(sev3.id)).incident_updates[0]?.state, 'published');
      await t.app.statusPage.refresh();
      const summary = (
        await t.app.server.inject({ method: 'GET', url: '/api/v2/incidents/unresolved.json' })
      ).json();
      assert.ok(
        summary.incidents.some((i: { id: string }) => i.id === sev3.id),
        'on the page',
      );

      await post(t, path, firing.replaceAll('"status": "firing"', '"status": "resolved"'));
      await runbooksDone(t);
      assert.equal((await incident(sev3.id)).status, 'resolved');
    });
  });

test('plan check refuses a runbook that names what the plan lacks, and a room with no bot to keep it', () => {
  const problems = (text: string) => {
    const result = readPlan(sev1Plan + text);
    return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
  };
  assert.deepEqual(problems(runbooks), {});
  const bad = problems(`
runbooks:
  - name: x
    when: { source: nagios }
    for: 5m
    do:
      - declare: { scenario: no-such, severity: SEV9 }
`);
  assert.match(bad['runbooks.0.when.source'] ?? '', /Invalid option/);
  assert.equal(bad['runbooks.0.for'], undefined, 'a for: wait is run');
  const refs = problems(`
runbooks:
  - name: x
    when: {}
    do:
      - declare: { scenario: no-such, severity: SEV9 }
  - name: x
    when: {}
    do:
      - declare: { scenario: slow-reports }
      - resolve: {}
      - open_chat_room: {}
      - open_chat_room: { channel: email }
      - open_chat_room: { channel: nowhere }
`);
  // The internal audience's only chat channel posts through a webhook: no bot to make rooms.
  assert.match(
    refs['runbooks.1.do.2.open_chat_room'] ?? '',
    /none of the internal audience's channels is a slack or mattermost channel with a bot_token/,
  );
  assert.match(refs['runbooks.1.do.3.open_chat_room.channel'] ?? '', /^no bot: name a slack or mattermost/);
  assert.match(refs['runbooks.1.do.4.open_chat_room.channel'] ?? '', /^no channel named "nowhere"/);
  assert.match(refs['runbooks.0.do.0.declare.scenario'] ?? '', /no scenario named "no-such"/);
  assert.match(refs['runbooks.0.do.0.declare.severity'] ?? '', /no severity named "SEV9"/);
  assert.match(refs['runbooks.1.name'] ?? '', /runbooks.0 is also named "x"/);
  assert.match(refs['runbooks.1.do.1'] ?? '', /resolve belongs in on_resolve/);
});
