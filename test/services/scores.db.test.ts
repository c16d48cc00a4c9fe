/**
 * Scores from a seeded history on both databases: a SEV1 incident whose
 * every figure is worked out by hand below, and the same incident run as a
 * drill at speed 60, whose spans come back in plan time.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { drillTrend, incidentScores } from '../../src/services/review/scores.ts';
import { eachDialect, TestClock } from '../helpers/db.ts';
import { at, seedIncident } from '../helpers/history.ts';
import { base, fallbackPlan, seedSev1 } from '../helpers/history-plan.ts';
import { applyTestPlan, people } from '../helpers/plan.ts';

const minutes = (m: number) => m * 60_000;

const expected = {
  detection_to_declared_ms: minutes(4),
  declared_to_first_internal_ms: minutes(2),
  first_external: { from: 'detected', took_ms: minutes(11), target_ms: minutes(15), met: true },
  // 10:08→10:11, 10:25→10:30 (published unapproved), 10:45→10:50 (the round's last approval).
  approval: { updates: 3, max_wait_ms: minutes(5), total_wait_ms: minutes(13), published_unapproved: 1 },
  cadence: [
    { audience: 'enterprise', updates_due: 1, updates_on_time: 0, ratio: 0 },
    { audience: 'public', updates_due: 3, updates_on_time: 2, ratio: 0.667 },
  ],
  // External notices at 11, 30, 50 and 70 minutes after detection: the longest gaps are 20 minutes.
  longest_silence_ms: minutes(20),
  lint_overrides: 1,
  fallbacks: 1,
  // Sent after 5, 10, 20 and 40 seconds, one of five dead: half is the third (20 s); 95% and all never came.
  first_notice_reach: { subscribers: 5, reached: 4, p50_ms: 20_000, p95_ms: null, p100_ms: null },
};

eachDialect(test, 'an incident’s scores are the figures its history gives', async (db) => {
  const clock = new TestClock('2026-03-02T12:00:00.000Z');
  const { admin } = people(db, clock);
  const { version } = await applyTestPlan(admin, fallbackPlan);
  const id = await seedSev1(db, version);
  const { scores, ...about } = await incidentScores(admin, id);
  assert.equal(about.drill, false);
  assert.equal(about.plan_version, version);
  const { first_notice_reach, ...rest } = scores;
  const { first_notice_reach: reach, ...expectedRest } = expected;
  assert.deepEqual(rest, { speed: 1, ...expectedRest });
  assert.deepEqual({ ...first_notice_reach, update_id: undefined }, { ...reach, update_id: undefined });
});

eachDialect(
  test,
  'a drill at speed 60 is scored in plan time, and the trend lists drills oldest first',
  async (db) => {
    const clock = new TestClock('2026-03-02T12:00:00.000Z');
    const { admin, rita } = people(db, clock);
    const { version } = await applyTestPlan(admin, fallbackPlan);
    const drill = await seedSev1(db, version, 60);
    const { scores } = await incidentScores(rita, drill);
    assert.equal(scores.speed, 60);
    assert.equal(
      scores.first_external.took_ms,
      minutes(11),
      '11 seconds at speed 60 are 11 minutes of plan time',
    );
    assert.equal(scores.longest_silence_ms, minutes(20));
    assert.equal(scores.approval.total_wait_ms, minutes(13));
    assert.equal(
      scores.first_notice_reach?.p50_ms,
      20_000,
      'reach is real time: the network ran at its own speed',
    );

    // A later, slower drill (its first notice after 20 plan minutes) and a real incident, which the trend leaves out.
    await seedSev1(db, version);
    const later = await seedIncident(db, {
      severity: 'SEV1',
      scenario: 'database-degraded',
      drill_speed: 10,
      detected_at: at(base, 60),
      declared_at: at(base, 60),
      updates: [{ audience: 'public', published_at: at(base, 62) }],
    });
    const trend = await drillTrend(rita, { scenario: 'database-degraded' });
    assert.deepEqual(
      trend.map((r) => [r.incident_id, r.scores.first_external.took_ms, r.scores.first_external.met]),
      [
        [drill, minutes(11), true],
        [later, minutes(20), false],
      ],
    );
    assert.deepEqual(await drillTrend(rita, { scenario: 'slow-reports' }), []);
  },
);

eachDialect(test, 'scores of an unknown incident are incident_not_found', async (db) => {
  const { rita } = people(db, new TestClock());
  await assert.rejects(incidentScores(rita, 'nope'), { code: 'incident_not_found' });
});
