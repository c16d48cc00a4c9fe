/**
 * Retrying a runbook step the outbox gave up on: the database refuses the
 * step's write (a trigger stands for a full disk), so its job fails, is
 * retried with backoff and goes dead after its attempts, while the step stays
 * pending and the steps after it never start. A retry by hand is a fresh try:
 * its count of attempts starts again from zero and it gets all of them. Once
 * the cause is gone, a retry runs that step once, the steps after it follow,
 * and nothing runs twice. On both databases, the worker's clock moved by the test.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Worker } from '../../src/delivery/worker.ts';
import { dialects, TestClock } from '../helpers/db.ts';
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
      - notify: { text: The first word. }
      - notify: { text: The second word. }
`;

interface Run {
  id: string;
  steps: {
    id: string;
    state: string;
    attempts: number;
    gave_up: boolean;
    outcome: string | null;
    error: string | null;
  }[];
}

const refusal = 'no space left for this update';

async function refuseFirstWord(t: TestApp, name: 'sqlite' | 'postgres'): Promise<void> {
  const db = t.app.db;
  if (name === 'sqlite') {
    await sql
      .raw(
        `create trigger refuse_word before insert on incident_updates when new.body = 'The first word.'
         begin select raise(abort, '${refusal}'); end`,
      )
      .execute(db);
    return;
  }
  await sql
    .raw(
      `create function refuse_word() returns trigger language plpgsql as $$
       begin
         if new.body = 'The first word.' then raise exception '${refusal}'; end if;
         return new;
       end $$`,
    )
    .execute(db);
  await sql
    .raw(
      'create trigger refuse_word before insert on incident_updates for each row execute function refuse_word()',
    )
    .execute(db);
}

let t: TestApp;
let worker: Worker | undefined;
const clock = new TestClock();
for (const dialect of dialects)
  describe(dialect.name, () => {
    before(async () => {
      t = await startTestApp(dialect, { env: planSecrets, clock });
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

    const call = (method: 'GET' | 'POST', url: string) =>
      t.app.server.inject({ method, url, headers: t.auth('admin') });

    test('a step whose job went dead runs once when retried, and the steps after it follow', async () => {
      await refuseFirstWord(t, dialect.name);
      const { path } = await ingestKey(t, 'alertmanager');
      assert.equal((await post(t, path, fixture('alertmanager-firing.json'))).statusCode, 200);
      await runbooksDone(t, clock);

      // The outbox retries with backoff until it gives up: moved on past each wait.
      const stepJob = () =>
        t.app.db
          .selectFrom('outbox_jobs')
          .select(['state', 'attempts', 'last_error'])
          .where('kind', '=', 'runbook.step')
          .where('dedupe_key', 'like', '%:0:do:1')
          .executeTakeFirstOrThrow();
      for (let i = 0; i < 20 && (await stepJob()).state !== 'dead'; i++) {
        clock.advance(6 * 60_000);
        await runbooksDone(t, clock);
      }
      const dead = await stepJob();
      assert.equal(dead.state, 'dead');
      assert.match(dead.last_error ?? '', new RegExp(refusal));

      const [incident] = (await call('GET', '/api/v1/incidents')).json() as { id: string }[];
      assert.ok(incident);
      const runsUrl = `/api/v1/incidents/${incident.id}/runbook-runs`;
      const [run] = (await call('GET', runsUrl)).json() as Run[];
      assert.ok(run);
      assert.deepEqual(
        run.steps.map((s) => [s.id, s.state, s.gave_up]),
        [
          ['0.do.0', 'done', false],
          ['0.do.1', 'pending', true],
          ['0.do.2', 'pending', false],
        ],
      );
      const firstTries = run.steps[1]?.attempts ?? 0;
      assert.ok(firstTries >= 10, `attempts: ${firstTries}`);
      assert.match(run.steps[1]?.error ?? '', new RegExp(refusal));

      // Asked by hand while the cause is still there: a fresh try, its count back to zero, which
      // gets its full number of attempts again before the outbox gives up on it. The worker waits
      // meanwhile, so the step is read as the retry left it.
      await worker?.stop();
      const early = await call('POST', `${runsUrl}/${run.id}/steps/0.do.1/retry`);
      assert.equal(early.statusCode, 200, early.body);
      const fresh = (early.json() as Run).steps[1];
      assert.deepEqual(fresh && [fresh.state, fresh.attempts, fresh.error, fresh.gave_up], [
        'pending',
        0,
        null,
        false,
      ]);
      assert.deepEqual(await stepJob(), { state: 'pending', attempts: 0, last_error: null });
      worker = runbookWorker(t);
      await runbooksDone(t, clock);
      for (let i = 0; i < 20 && (await stepJob()).state !== 'dead'; i++) {
        clock.advance(6 * 60_000);
        await runbooksDone(t, clock);
      }
      assert.equal((await stepJob()).state, 'dead');
      const [deadAgain] = (await call('GET', runsUrl)).json() as Run[];
      assert.deepEqual(
        deadAgain?.steps.map((s) => [s.id, s.state, s.attempts, s.gave_up]),
        [
          ['0.do.0', 'done', 0, false],
          ['0.do.1', 'pending', firstTries, true],
          ['0.do.2', 'pending', 0, false],
        ],
        'as many tries as the first time, counted afresh',
      );

      // The cause gone, asked by hand: the step is pending again, and audited as given up on.
      await sql
        .raw(`drop trigger refuse_word${dialect.name === 'postgres' ? ' on incident_updates' : ''}`)
        .execute(t.app.db);
      const retried = await call('POST', `${runsUrl}/${run.id}/steps/0.do.1/retry`);
      assert.equal(retried.statusCode, 200, retried.body);
      assert.equal((retried.json() as Run).steps[1]?.attempts, 0);
      const [entry] = (await call('GET', '/api/v1/audit?action=runbook.retry')).json() as {
        before: { step: string; state: string };
      }[];
      assert.deepEqual(entry?.before && { step: entry.before.step, state: entry.before.state }, {
        step: '0.do.1',
        state: 'dead',
      });

      await runbooksDone(t, clock);
      const [done] = (await call('GET', runsUrl)).json() as Run[];
      assert.deepEqual(
        done?.steps.map((s) => [s.id, s.state, s.error, s.gave_up]),
        [
          ['0.do.0', 'done', null, false],
          ['0.do.1', 'done', null, false],
          ['0.do.2', 'done', null, false],
        ],
      );
      const updates = (
        (await call('GET', `/api/v1/incidents/${incident.id}`)).json() as {
          incident_updates: { body: string }[];
        }
      ).incident_updates;
      assert.equal(updates.filter((u) => u.body === 'The first word.').length, 1, 'the step ran once');
      assert.equal(
        updates.filter((u) => u.body === 'The second word.').length,
        1,
        'the next step followed once',
      );

      // Done now: a second retry is refused and changes nothing.
      const again = await call('POST', `${runsUrl}/${run.id}/steps/0.do.1/retry`);
      assert.equal(again.statusCode, 409, again.body);
      assert.equal(((await call('GET', '/api/v1/audit?action=runbook.retry')).json() as unknown[]).length, 2);
    });
  });
