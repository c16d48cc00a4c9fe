/**
 * Game days on the plan's schedule, on both databases: storing a plan
 * version turns each instant still ahead into an outbox job, and the
 * participants' reminder into one `remind_before` ahead; when one falls
 * due, the plan in force decides: the reminder names the participants, the
 * start runs the game day, and an instant the plan no longer lists does
 * nothing. And `crier plan check` refuses a game day naming what the plan
 * lacks.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readPlan } from '../../src/plan/load.ts';
import { gameDayScheduled } from '../../src/services/drills/game-day-schedule.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import { jobPayloadOf } from '../../src/store/outbox.ts';
import { eachDialect, TestClock, testConfig, testCtx } from '../helpers/db.ts';

const base = readFileSync(new URL('../../examples/small-saas.yaml', import.meta.url), 'utf8');
const env = {
  SMTP_URL: 'smtp://localhost:2525',
  SLACK_INTERNAL_WEBHOOK: 'https://hooks.slack.example/T/B/x',
  SLACK_SUPPORT_WEBHOOK: 'https://hooks.slack.example/T/B/y',
};
const scenario = /^scenarios:\n {2}([a-z][a-z0-9_-]*):/m.exec(base)?.[1] ?? '';

const withDrills = (drills: string) => `${base}\ndrills:\n${drills}`;

const gameDay = (schedule: string, channel = 'email') => `  failover:
    scenario: ${scenario}
    speed: 10
    schedule: [${schedule}]
    participants: [ann@acme.example, bo@acme.example]
    remind_before: 2h
    script:
      - { at: 0s, alert: { title: Primary database unreachable } }
      - { at: 10m, fail_channel: { channel: ${channel}, for: 5m } }
`;

test('crier plan check refuses a game day naming a scenario, severity or channel the plan lacks', () => {
  assert.ok(scenario, 'the example plan has a scenario');
  const ok = readPlan(withDrills(gameDay('"2026-06-01T10:00:00Z"')), { env });
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.problems));
  const bad = readPlan(
    withDrills(`${gameDay('', 'pager')}    severity: SEV9\n`).replace(
      `scenario: ${scenario}`,
      'scenario: nope',
    ),
    { env },
  );
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems.map((p) => p.path).sort(), [
    'drills.failover.scenario',
    'drills.failover.script.1.fail_channel.channel',
    'drills.failover.severity',
  ]);
});

eachDialect(test, 'scheduled game days become jobs; when due, the plan in force decides', async (db) => {
  const clock = new TestClock('2026-06-01T06:00:00.000Z');
  const ctx = testCtx(db, { clock, config: testConfig(env) });
  await applyPlan(ctx, {
    source: withDrills(gameDay('"2026-06-01T10:00:00Z", "2026-06-01T07:00:00Z", "2026-05-01T10:00:00Z"')),
  });
  const jobs = await db
    .selectFrom('outbox_jobs')
    .select(['kind', 'payload', 'run_at'])
    .where('kind', '=', 'gameday.scheduled')
    .orderBy('run_at')
    .execute();
  // The past instant is not scheduled; the 07:00 one is too close for its reminder two hours ahead.
  assert.deepEqual(
    jobs.map((j) => {
      const p = jobPayloadOf('gameday.scheduled', j.payload);
      return [j.run_at, p.what, p.at];
    }),
    [
      ['2026-06-01T07:00:00.000Z', 'start', '2026-06-01T07:00:00.000Z'],
      ['2026-06-01T08:00:00.000Z', 'remind', '2026-06-01T10:00:00.000Z'],
      ['2026-06-01T10:00:00.000Z', 'start', '2026-06-01T10:00:00.000Z'],
    ],
  );

  clock.set('2026-06-01T08:00:00.000Z');
  const remind = { name: 'failover', at: '2026-06-01T10:00:00.000Z', what: 'remind' } as const;
  await gameDayScheduled(ctx, remind);
  await gameDayScheduled(ctx, remind);
  const notices = await db
    .selectFrom('outbox_jobs')
    .select('payload')
    .where('kind', '=', 'person.notice')
    .orderBy('payload')
    .execute();
  // One email per participant, once however often the reminder runs.
  const sent = notices.map((n) => jobPayloadOf('person.notice', n.payload));
  assert.deepEqual(
    sent.map((n) => [n.via, n.contact]),
    [
      ['email', 'ann@acme.example'],
      ['email', 'bo@acme.example'],
    ],
  );
  assert.match(sent[0]?.message.title ?? '', /failover/);
  assert.equal(sent[0]?.message.drill, true);

  clock.set('2026-06-01T10:00:00.000Z');
  await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-01T10:00:00.000Z', what: 'start' });
  const runs = await db.selectFrom('game_days').selectAll().execute();
  assert.equal(runs.length, 1);
  assert.equal(runs[0]?.speed, 10);
  assert.equal(runs[0]?.started_by, 'game-day:failover');
  const incident = await db
    .selectFrom('incidents')
    .select(['drill', 'drill_speed'])
    .executeTakeFirstOrThrow();
  assert.deepEqual(incident, { drill: 1, drill_speed: 10 });
  // Its events fall due at their offsets divided by the speed: 0s, then 10m / 10.
  const steps = await db
    .selectFrom('outbox_jobs')
    .select('run_at')
    .where('kind', '=', 'gameday.step')
    .orderBy('run_at')
    .execute();
  assert.deepEqual(
    steps.map((s) => s.run_at),
    ['2026-06-01T10:00:00.000Z', '2026-06-01T10:01:00.000Z'],
  );

  // Taken out of the plan since: nothing happens.
  await applyPlan(ctx, { source: withDrills(gameDay('"2026-06-02T10:00:00Z"')) });
  await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-01T07:00:00.000Z', what: 'start' });
  await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-01T10:00:00.000Z', what: 'remind' });
  assert.equal((await db.selectFrom('game_days').selectAll().execute()).length, 1);
});

const recurring = (cron: string) =>
  gameDay('')
    .replace('    schedule: []\n', `    cron: "${cron}"\n`)
    .replace(/\n {6}- \{ at: 10m.*\n/, '\n');

test('crier plan check refuses a recurring schedule that is not a cron expression, or recurs more than hourly', () => {
  assert.ok(readPlan(withDrills(recurring('0 14 * * 3')), { env }).ok);
  const refused = (cron: string) => {
    const read = readPlan(withDrills(recurring(cron)), { env });
    assert.ok(!read.ok, `${cron} refused`);
    return read.problems.map((p) => [p.path, p.message]);
  };
  assert.deepEqual(refused('0 25 * * 3'), [
    ['drills.failover.cron', 'not a cron expression: Constraint error, got value 25 expected range 0-23'],
  ]);
  assert.deepEqual(refused('*/10 * * * *'), [
    ['drills.failover.cron', 'a game day recurs at most once an hour'],
  ]);
  const fields = [
    [
      'drills.failover.cron',
      'five fields: minute hour day-of-month month day-of-week (0 14 * * 3: Wednesdays at 14:00)',
    ],
  ];
  assert.deepEqual(refused('@weekly'), fields);
  assert.deepEqual(refused('0 14 * * 3 2027'), fields);
});

eachDialect(
  test,
  'a recurring game day is scheduled one occurrence ahead, its participants reminded before each',
  async (db) => {
    // Monday 08:00 in Berlin (summer time): Wednesdays at 14:00 there are 12:00 UTC.
    const clock = new TestClock('2026-06-01T06:00:00.000Z');
    const ctx = testCtx(db, { clock, config: testConfig(env) });
    await applyPlan(ctx, { source: withDrills(recurring('0 14 * * 3')) });
    const scheduled = async () =>
      (
        await db
          .selectFrom('outbox_jobs')
          .select(['payload', 'run_at'])
          .where('kind', '=', 'gameday.scheduled')
          .orderBy('run_at')
          .execute()
      ).map((j) => {
        const p = jobPayloadOf('gameday.scheduled', j.payload);
        return [j.run_at, p.what, p.at];
      });
    assert.deepEqual(await scheduled(), [
      ['2026-06-03T10:00:00.000Z', 'remind', '2026-06-03T12:00:00.000Z'],
      ['2026-06-03T12:00:00.000Z', 'start', '2026-06-03T12:00:00.000Z'],
    ]);
    // Storing the plan again schedules nothing twice.
    await applyPlan(ctx, { source: withDrills(recurring('0 14 * * 3')) });
    assert.equal((await scheduled()).length, 2);

    clock.set('2026-06-03T10:00:00.000Z');
    await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-03T12:00:00.000Z', what: 'remind' });
    const notices = await db
      .selectFrom('outbox_jobs')
      .select('payload')
      .where('kind', '=', 'person.notice')
      .execute();
    assert.deepEqual(notices.map((n) => jobPayloadOf('person.notice', n.payload).contact).sort(), [
      'ann@acme.example',
      'bo@acme.example',
    ]);

    // It starts, and the next Wednesday is scheduled with its reminder.
    clock.set('2026-06-03T12:00:00.000Z');
    await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-03T12:00:00.000Z', what: 'start' });
    assert.equal((await db.selectFrom('game_days').selectAll().execute()).length, 1);
    assert.deepEqual((await scheduled()).slice(2), [
      ['2026-06-10T10:00:00.000Z', 'remind', '2026-06-10T12:00:00.000Z'],
      ['2026-06-10T12:00:00.000Z', 'start', '2026-06-10T12:00:00.000Z'],
    ]);

    // An instant that is not an occurrence does nothing; nor does one after the rule changed.
    await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-04T12:00:00.000Z', what: 'start' });
    await applyPlan(ctx, { source: withDrills(recurring('0 9 1 * *')) });
    clock.set('2026-06-10T12:00:00.000Z');
    await gameDayScheduled(ctx, { name: 'failover', at: '2026-06-10T12:00:00.000Z', what: 'start' });
    assert.equal((await db.selectFrom('game_days').selectAll().execute()).length, 1);
    // The new rule's first occurrence: 09:00 in Berlin on the first of July.
    assert.ok(
      (await scheduled()).some(([at, what]) => what === 'start' && at === '2026-07-01T07:00:00.000Z'),
      JSON.stringify(await scheduled()),
    );
  },
);
