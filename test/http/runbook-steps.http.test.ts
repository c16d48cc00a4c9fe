/**
 * Runbook steps in a real worker, each an outbox job: a SEV3 runbook that
 * declares, hands roles out, moves a component, tells the team, publishes
 * the scenario's words at once (approval: none), pages the incident lead on
 * chat, email and SMS, has one step refused and goes on; its progress read
 * through the API. A `for:` wait: an alert that resolves within it starts
 * nothing. The reopen window: an alert firing again soon after its incident
 * resolved reopens it; later, it declares a new one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildProgram } from '../../src/cli/program.ts';
import type { Worker } from '../../src/delivery/worker.ts';
import { readPlan } from '../../src/plan/load.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { fixture, ingestKey, post } from '../helpers/ingest.ts';
import { planSecrets, sev1Plan } from '../helpers/plan.ts';
import { runbooksDone, runbookWorker } from '../helpers/runbooks.ts';

const plan = sev1Plan.replace(
  'incident_lead: { rota: [ivy@acme.example] }',
  'incident_lead: { rota: [ivy@acme.example], phones: { ivy@acme.example: "+15550123" } }',
);

const runbooks = (component: string) => `
ingest:
  reopen_window: 10m
runbooks:
  - name: db-errors
    when: { source: alertmanager, labels: { team: db } }
    group_by: [team]
    do:
      - declare: { scenario: slow-reports, severity: SEV3, name: Reports fail }
      - assign_roles: { comms_lead: olga@acme.example, incident_lead: rota }
      - set_component_status: { components: { ${component}: major_outage } }
      - notify: { text: The database answers errors; the runbook has it. }
      - draft_external: { status: investigating }
      - page: { role: incident_lead }
      - draft_external: { audience: enterprise }
      - notify: {}
    on_resolve:
      - resolve: {}
  - name: flappy
    when: { source: grafana, labels: { team: blue } }
    for: 2m
    do:
      - declare: { scenario: slow-reports, severity: SEV3, name: Memory high }
    on_resolve:
      - resolve: {}
`;

interface Update {
  status: string;
  state: string;
  audience: string;
  body: string;
}
interface Incident {
  id: string;
  name: string;
  status: string;
  scenario: string | null;
  incident_updates: Update[];
}
interface Run {
  runbook: string;
  state: string;
  round: number;
  alerts: { status: string }[];
  steps: {
    phase: string;
    position: number;
    kind: string;
    state: string;
    outcome: string | null;
    error: string | null;
  }[];
}

let t: TestApp;
let worker: Worker;
let component: string;
const clock = new TestClock('2026-12-04T10:00:00.000Z');
for (const dialect of dialects)
  describe(dialect.name, () => {
    before(async () => {
      clock.set('2026-12-04T10:00:00.000Z');
      t = await startTestApp(dialect, { env: planSecrets, clock });
      const made = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/components',
        headers: t.auth('admin'),
        payload: { name: 'Reports' },
      });
      assert.equal(made.statusCode, 201, made.body);
      component = made.json().id;
      const applied = await t.app.server.inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: plan + runbooks(component) },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      worker = runbookWorker(t);
    });
    after(async () => {
      await worker.stop();
      await t.close();
    });

    const get = async <T>(url: string): Promise<T> => {
      const res = await t.app.server.inject({ method: 'GET', url, headers: t.auth('admin') });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const byScenarioAndName = async (name: string) =>
      (await get<Incident[]>('/api/v1/incidents')).filter((i) => i.name === name);

    test('every step runs as a job, in order; a refused step is recorded and the run goes on', async () => {
      const { path } = await ingestKey(t, 'alertmanager');
      const firing = fixture('alertmanager-firing.json');
      assert.equal((await post(t, path, firing)).statusCode, 200);
      await runbooksDone(t, clock);
      const [incident] = await byScenarioAndName('Reports fail');
      assert.ok(
        incident,
        JSON.stringify(
          await t.app.db
            .selectFrom('outbox_jobs')
            .select(['kind', 'state', 'run_at', 'last_error'])
            .execute(),
        ),
      );
      const full = await get<Incident>(`/api/v1/incidents/${incident.id}`);
      // The declaration told the team; the customers' words came from draft_external, published at once.
      const shown = full.incident_updates.map((u) => [u.status, u.state, u.audience]);
      assert.deepEqual(
        shown.sort(),
        [
          ['investigating', 'published', 'internal'],
          ['investigating', 'published', 'internal'],
          ['investigating', 'published', 'internal'],
          ['investigating', 'published', 'public'],
        ].sort(),
      );
      const external = full.incident_updates.find((u) => u.audience === 'public');
      assert.match(external?.body ?? '', /Reports load slowly/);
      assert.ok(
        full.incident_updates.some((u) => u.body === 'The database answers errors; the runbook has it.'),
      );

      const roles = await get<{ role: string; holder: string }[]>(`/api/v1/incidents/${incident.id}/roles`);
      assert.equal(roles.find((r) => r.role === 'comms_lead')?.holder, 'olga@acme.example');
      assert.equal(roles.find((r) => r.role === 'incident_lead')?.holder, 'ivy@acme.example');
      const components = await get<{ id: string; status: string }[]>('/api/v1/components');
      assert.equal(components.find((c) => c.id === component)?.status, 'major_outage');

      // The page: on the internal chat channel, and to ivy by email and SMS.
      const jobs = await t.app.db
        .selectFrom('outbox_jobs')
        .select(['kind', 'payload'])
        .where('kind', 'in', ['person.notice', 'channel.notice'])
        .execute();
      const pages = jobs.map((j) => JSON.parse(j.payload)).filter((p) => /^PAGE ivy/.test(p.message.title));
      assert.deepEqual(pages.map((p) => p.via ?? p.channel).sort(), ['email', 'slack-internal', 'sms']);
      assert.equal(pages.find((p) => p.via === 'sms')?.contact, '+15550123');
      assert.equal(pages.find((p) => p.via === 'email')?.contact, 'ivy@acme.example');

      const [run] = await get<Run[]>(`/api/v1/incidents/${incident.id}/runbook-runs`);
      assert.ok(run);
      assert.equal(run.runbook, 'db-errors');
      assert.equal(run.state, 'open');
      assert.deepEqual(
        run.steps.map((s) => [s.kind, s.state]),
        [
          ['declare', 'done'],
          ['assign_roles', 'done'],
          ['set_component_status', 'done'],
          ['notify', 'done'],
          ['draft_external', 'done'],
          ['page', 'done'],
          ['draft_external', 'failed'],
          ['notify', 'done'],
        ],
      );
      assert.match(run.steps[5]?.outcome ?? '', /paged ivy@acme.example on slack-internal, email, sms/);
      assert.match(run.steps[6]?.error ?? '', /no audience "enterprise" for SEV3/);

      // The same progress through the CLI, against the server over HTTP.
      Object.assign(process.env, { CRIER_URL: await t.app.listen(), CRIER_TOKEN: t.tokens.admin });
      const write = process.stdout.write;
      let printed = '';
      process.stdout.write = ((chunk: string | Uint8Array) => {
        printed += String(chunk);
        return true;
      }) as typeof process.stdout.write;
      try {
        await buildProgram().parseAsync(['node', 'crier', 'incident', 'runbook', incident.id]);
      } finally {
        process.stdout.write = write;
      }
      assert.match(printed, /^db-errors \(open\), alerts: /);
      assert.match(printed, /paged ivy@acme\.example on slack-internal, email, sms/);
      assert.match(printed, /draft_external +failed/);

      // Resolved: the closing step, the component back to operational with the published words.
      await post(t, path, fixture('alertmanager-firing.json').replaceAll('"firing"', '"resolved"'));
      await runbooksDone(t, clock);
      const closed = await get<Incident>(`/api/v1/incidents/${incident.id}`);
      assert.equal(closed.status, 'resolved');
      assert.match(
        closed.incident_updates.find((u) => u.status === 'resolved')?.body ?? '',
        /Reports load quickly again/,
      );
      const after = await get<{ id: string; status: string }[]>('/api/v1/components');
      assert.equal(after.find((c) => c.id === component)?.status, 'operational');
      const [done] = await get<Run[]>(`/api/v1/incidents/${incident.id}/runbook-runs`);
      assert.equal(done?.state, 'resolved');
      assert.deepEqual(
        done?.steps.filter((s) => s.phase === 'on_resolve').map((s) => [s.kind, s.state]),
        [['resolve', 'done']],
      );
    });

    test('a plan whose runbook names a component that does not exist is refused, and nothing changes', async () => {
      const version = (await get<{ version: number }>('/api/v1/plan')).version;
      const res = await t.app.server.inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: plan + runbooks('no-such-component') },
      });
      assert.equal(res.statusCode, 422, res.body);
      const { error } = res.json();
      assert.equal(error.code, 'plan_invalid');
      assert.deepEqual(
        error.details.problems.map((p: { path: string }) => p.path),
        ['runbooks.0.do.2.set_component_status.components.no-such-component'],
      );
      assert.equal((await get<{ version: number }>('/api/v1/plan')).version, version);
    });

    test('for: an alert that resolves within it starts nothing; the reopen window reopens, and later declares anew', async () => {
      const { path } = await ingestKey(t, 'grafana');
      const firing = fixture('grafana-firing.json');
      const resolved = firing.replaceAll('"status": "firing"', '"status": "resolved"');
      const flappy = async () =>
        (await get<Incident[]>('/api/v1/incidents')).filter((i) => i.name === 'Memory high');

      // Fires and resolves within the two minutes: nothing, even once the wait is over.
      await post(t, path, firing);
      await runbooksDone(t, clock);
      clock.advance(60_000);
      await post(t, path, resolved);
      await runbooksDone(t, clock);
      clock.advance(5 * 60_000);
      await runbooksDone(t, clock);
      assert.deepEqual(await flappy(), []);

      // Fires and stays firing: declared once the wait is over, not before.
      await post(t, path, firing);
      await runbooksDone(t, clock);
      assert.deepEqual(await flappy(), []);
      clock.advance(2 * 60_000);
      await runbooksDone(t, clock);
      const [first] = await flappy();
      assert.ok(first, 'declared after the wait');
      assert.equal((await flappy()).length, 1);

      await post(t, path, resolved);
      await runbooksDone(t, clock);
      assert.equal((await get<Incident>(`/api/v1/incidents/${first.id}`)).status, 'resolved');

      // Back within the window (10m): the same incident, investigating again.
      clock.advance(3 * 60_000);
      await post(t, path, firing);
      clock.advance(2 * 60_000);
      await runbooksDone(t, clock);
      await runbooksDone(t, clock);
      assert.equal((await flappy()).length, 1, 'reopened, not declared again');
      const reopened = await get<Incident>(`/api/v1/incidents/${first.id}`);
      assert.equal(reopened.status, 'investigating');
      const [run] = await get<Run[]>(`/api/v1/incidents/${first.id}/runbook-runs`);
      assert.equal(run?.round, 1);
      assert.equal(run?.state, 'open');

      await post(t, path, resolved);
      await runbooksDone(t, clock);
      assert.equal((await get<Incident>(`/api/v1/incidents/${first.id}`)).status, 'resolved');

      // Back after the window: a new incident.
      clock.advance(30 * 60_000);
      await post(t, path, firing);
      clock.advance(2 * 60_000);
      await runbooksDone(t, clock);
      await runbooksDone(t, clock);
      const all = await flappy();
      assert.equal(all.length, 2, 'a new incident');
      assert.ok(all.some((i) => i.id !== first.id && i.status === 'investigating'));
    });
  });

test('plan check refuses runbooks naming unknown scenarios, severities, roles, audiences and sources, and steps out of place', () => {
  const problems = (text: string) => {
    const result = readPlan(sev1Plan + text);
    return result.ok ? {} : Object.fromEntries(result.problems.map((p) => [p.path, p.message]));
  };
  assert.deepEqual(problems(runbooks('api')), {});
  const shape = problems(`
runbooks:
  - name: x
    when: { source: nagios }
    do:
      - declare: { scenario: slow-reports }
      - assign_roles: { chief: rota }
      - page: { role: chief }
`);
  assert.match(shape['runbooks.0.when.source'] ?? '', /Invalid option/);
  assert.match(shape['runbooks.0.do.1.assign_roles'] ?? '', /Unrecognized key/);
  assert.match(shape['runbooks.0.do.2.page.role'] ?? '', /Invalid option/);
  const bad = problems(`
runbooks:
  - name: x
    when: { source: alertmanager }
    do:
      - declare: { scenario: no-such, severity: SEV9 }
      - notify: { audience: partners }
      - resolve: {}
    on_resolve:
      - declare: { scenario: slow-reports }
  - name: y
    when: { source: generic }
    do:
      - declare: { scenario: database-degraded }
      - draft_external: { audience: internal }
`);
  assert.match(bad['runbooks.0.do.0.declare.scenario'] ?? '', /no scenario named "no-such"/);
  assert.match(bad['runbooks.0.do.0.declare.severity'] ?? '', /no severity named "SEV9"/);
  assert.match(bad['runbooks.0.do.1.notify.audience'] ?? '', /no audience named "partners"/);
  assert.match(bad['runbooks.0.do.2'] ?? '', /resolve belongs in on_resolve/);
  assert.match(bad['runbooks.0.on_resolve.0'] ?? '', /declare belongs in do/);
  assert.match(bad['runbooks.1.when.source'] ?? '', /generic alerts need a mapping/);
  assert.match(bad['runbooks.1.do.1.draft_external.audience'] ?? '', /use notify for the team/);
  const noTemplate = problems(`
runbooks:
  - when: {}
    do:
      - declare: { scenario: slow-reports }
      - draft_external: { status: identified }
      - assign_roles: { comms_lead: rota }
`);
  assert.match(noTemplate['runbooks.0.do.1.draft_external.status'] ?? '', /no template for identified/);
  assert.equal(noTemplate['runbooks.0.do.2.assign_roles.comms_lead'], undefined, 'the comms lead has a rota');
});
