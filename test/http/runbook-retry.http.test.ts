/**
 * Retrying a failed runbook step by hand: a step refused (its audience not
 * reached by the severity) stays failed until someone puts the cause right
 * (the plan) and asks for it again, through the API or `crier incident
 * runbook ID --retry do.2`; it then runs as the runbook, and the steps after
 * it are not run twice. Asking again while it waits changes nothing; a step
 * that did not fail, an unknown step and a viewer are refused; each retry is
 * audited under whoever asked. On both databases.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { buildProgram } from '../../src/cli/program.ts';
import type { Worker } from '../../src/delivery/worker.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { fixture, ingestKey, post } from '../helpers/ingest.ts';
import { planSecrets, sev1Plan } from '../helpers/plan.ts';
import { runbooksDone, runbookWorker } from '../helpers/runbooks.ts';

const runbook = `
runbooks:
  - name: reports
    when: { source: alertmanager }
    do:
      - declare: { scenario: slow-reports, severity: SEV3, name: Reports fail }
      - notify: { text: The runbook has it. }
      - draft_external: { audience: enterprise }
      - notify: { text: Done with the first steps. }
`;
const reaching = sev1Plan.replace(
  'SEV3:\n    external_cadence: 2h\n    approval: none\n    audiences: [public, internal]',
  'SEV3:\n    external_cadence: 2h\n    approval: none\n    audiences: [public, enterprise, internal]',
);

interface Run {
  id: string;
  steps: { id: string; kind: string; state: string; outcome: string | null; error: string | null }[];
}

let t: TestApp;
let worker: Worker | undefined;
for (const dialect of dialects)
  describe(dialect.name, () => {
    before(async () => {
      t = await startTestApp(dialect, { env: planSecrets });
      const applied = await t.app.server.inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: sev1Plan + runbook },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      worker = runbookWorker(t);
    });
    after(async () => {
      await worker?.stop();
      await t.close();
    });

    const call = (role: 'admin' | 'viewer', method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
      t.app.server.inject({ method, url, headers: t.auth(role), ...(payload && { payload }) });

    test('a failed step runs again once its cause is put right; nothing else runs twice', async () => {
      assert.notEqual(reaching, sev1Plan, 'the plan fixture still has SEV3 as written here');
      const { path } = await ingestKey(t, 'alertmanager');
      assert.equal((await post(t, path, fixture('alertmanager-firing.json'))).statusCode, 200);
      await runbooksDone(t);
      const [incident] = (await call('admin', 'GET', '/api/v1/incidents')).json() as { id: string }[];
      assert.ok(incident);
      const runsUrl = `/api/v1/incidents/${incident.id}/runbook-runs`;
      const [run] = (await call('admin', 'GET', runsUrl)).json() as Run[];
      assert.ok(run);
      assert.deepEqual(
        run.steps.map((s) => [s.id, s.kind, s.state]),
        [
          ['0.do.0', 'declare', 'done'],
          ['0.do.1', 'notify', 'done'],
          ['0.do.2', 'draft_external', 'failed'],
          ['0.do.3', 'notify', 'done'],
        ],
      );
      assert.match(run.steps[2]?.error ?? '', /no audience "enterprise" for SEV3/);
      const retry = (role: 'admin' | 'viewer', step: string, body?: object) =>
        call(role, 'POST', `${runsUrl}/${run.id}/steps/${step}/retry`, body);

      // Refused, changing nothing: a viewer, a step that did not fail, an unknown step, a field it does not take.
      const audited = async () =>
        ((await call('admin', 'GET', '/api/v1/audit?action=runbook.retry')).json() as unknown[]).length;
      assert.equal((await retry('viewer', '0.do.2')).statusCode, 403);
      const done = await retry('admin', '0.do.1');
      assert.equal(done.statusCode, 409, done.body);
      assert.equal(done.json().error.code, 'transition_not_allowed');
      assert.equal((await retry('admin', '0.do.9')).statusCode, 404);
      assert.equal((await retry('admin', 'do.2')).statusCode, 400);
      assert.equal((await retry('admin', '0.do.2', { force: true })).statusCode, 400);
      assert.equal(await audited(), 0);

      // The cause put right, with the worker stopped so the retry can be seen waiting.
      await worker?.stop();
      worker = undefined;
      const fixed = await call('admin', 'PUT', '/api/v1/plan', { source: reaching + runbook });
      assert.equal(fixed.statusCode, 200, fixed.body);

      Object.assign(process.env, { CRIER_URL: await t.app.listen(), CRIER_TOKEN: t.tokens.admin });
      const write = process.stdout.write;
      let printed = '';
      process.stdout.write = ((chunk: string | Uint8Array) => {
        printed += String(chunk);
        return true;
      }) as typeof process.stdout.write;
      try {
        await buildProgram().parseAsync([
          'node',
          'crier',
          'incident',
          'runbook',
          incident.id,
          '--retry',
          'do.2',
        ]);
      } finally {
        process.stdout.write = write;
      }
      assert.match(printed, /0\.do\.2 +draft_external +pending/);

      // Asked again while it waits: nothing changes, nothing is audited twice.
      const again = await retry('admin', '0.do.2', {});
      assert.equal(again.statusCode, 200, again.body);
      assert.equal((again.json() as Run).steps[2]?.state, 'pending');
      assert.equal(await audited(), 1);
      const [entry] = (await call('admin', 'GET', '/api/v1/audit?action=runbook.retry')).json() as {
        actor: string;
        before: { state: string; error: string };
      }[];
      assert.match(entry?.actor ?? '', /test-admin|admin/);
      assert.equal(entry?.before.state, 'failed');

      worker = runbookWorker(t);
      await runbooksDone(t);
      const [after] = (await call('admin', 'GET', runsUrl)).json() as Run[];
      assert.deepEqual(
        after?.steps.map((s) => [s.id, s.state]),
        [
          ['0.do.0', 'done'],
          ['0.do.1', 'done'],
          ['0.do.2', 'done'],
          ['0.do.3', 'done'],
        ],
      );
      assert.match(after?.steps[2]?.outcome ?? '', /investigating for enterprise: published/);
      const updates = (
        (await call('admin', 'GET', `/api/v1/incidents/${incident.id}`)).json() as {
          incident_updates: { audience: string; body: string }[];
        }
      ).incident_updates;
      assert.equal(updates.filter((u) => u.audience === 'enterprise').length, 1);
      assert.equal(
        updates.filter((u) => u.body === 'Done with the first steps.').length,
        1,
        'the step after it did not run again',
      );
    });
  });
