/**
 * The communication report of a seeded history, on both databases, under a
 * controlled clock: three real incidents in the last 90 days (two in the
 * last 30), one older and one drill left out; every figure worked out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incidentsOfPlanVersion } from '../../src/services/review/plan-versions.ts';
import { communicationReport } from '../../src/services/review/trends.ts';
import type { Db } from '../../src/store/db.ts';
import { eachDialect, TestClock } from '../helpers/db.ts';
import { at, type SeedUpdate, seedIncident } from '../helpers/history.ts';
import { fallbackPlan } from '../helpers/history-plan.ts';
import { applyTestPlan, people } from '../helpers/plan.ts';

const now = '2026-03-31T12:00:00.000Z';

const many = (n: number, channel: string, state: 'sent' | 'dead') =>
  Array.from({ length: n }, () => ({ channel, state, after_s: state === 'sent' ? 1 : undefined }));

function notice(declared: string, minutes: number, deliveries: SeedUpdate['deliveries'] = []): SeedUpdate {
  return { audience: 'public', published_at: at(declared, minutes), deliveries };
}

async function seed(db: Db, version: number) {
  const a = '2026-03-20T09:00:00.000Z';
  const b = '2026-02-15T09:00:00.000Z';
  const c = '2026-03-25T09:00:00.000Z';
  const ids = {
    // SEV1, detected 2 minutes before it was declared, first notice 10 minutes after detection: met.
    a: await seedIncident(db, {
      severity: 'SEV1',
      scenario: 'database-degraded',
      detected_at: a,
      declared_at: at(a, 2),
      plan_version: version,
      updates: [
        notice(a, 10, [...many(9, 'email', 'sent'), ...many(1, 'email', 'dead'), ...many(2, 'sms', 'sent')]),
      ],
      cadence: [{ audience: 'public', due: 2, on_time: 1 }],
    }),
    // SEV1, first notice 20 minutes after declaration: missed.
    b: await seedIncident(db, {
      severity: 'SEV1',
      scenario: 'database-degraded',
      declared_at: b,
      plan_version: version,
      updates: [notice(b, 20, many(40, 'email', 'sent'))],
      cadence: [{ audience: 'public', due: 1, on_time: 1 }],
    }),
    // SEV2 has no first-notice target: neither met nor missed.
    c: await seedIncident(db, {
      severity: 'SEV2',
      scenario: 'slow-reports',
      declared_at: c,
      plan_version: version,
      updates: [notice(c, 5, [...many(19, 'webhook', 'sent'), ...many(1, 'webhook', 'dead')])],
      cadence: [{ audience: 'public', due: 1, on_time: 0 }],
    }),
  };
  // Left out: declared before the 90 days, and a drill.
  await seedIncident(db, {
    severity: 'SEV1',
    declared_at: '2025-12-01T09:00:00.000Z',
    plan_version: version,
    updates: [notice('2025-12-01T09:00:00.000Z', 60, many(5, 'email', 'dead'))],
  });
  const drill = await seedIncident(db, {
    severity: 'SEV1',
    drill_speed: 60,
    declared_at: '2026-03-26T09:00:00.000Z',
    plan_version: version,
    updates: [notice('2026-03-26T09:00:00.000Z', 1, many(5, 'email', 'dead'))],
  });
  return { ...ids, drill };
}

const minutes = (m: number) => m * 60_000;

eachDialect(
  test,
  'the communication report computes exactly the figures of the seeded history',
  async (db) => {
    const clock = new TestClock(now);
    const { admin, rita } = people(db, clock);
    const { version } = await applyTestPlan(admin, fallbackPlan);
    const ids = await seed(db, version);

    const report = await communicationReport(rita, {});
    assert.equal(report.from, '2025-12-31T12:00:00.000Z');
    assert.equal(report.to, now);
    assert.equal(report.incidents, 3);
    const sev1In30 = {
      key: 'SEV1',
      incidents: 1,
      first_notice_median_ms: minutes(10),
      first_notice_met: 1,
      first_notice_missed: 0,
      updates_due: 2,
      updates_on_time: 1,
      adherence: 0.5,
    };
    const sev2 = {
      key: 'SEV2',
      incidents: 1,
      first_notice_median_ms: minutes(5),
      first_notice_met: 0,
      first_notice_missed: 0,
      updates_due: 1,
      updates_on_time: 0,
      adherence: 0,
    };
    // 90 days: the median of 10 and 20 minutes; 2 of 3 updates on time.
    const sev1In90 = {
      ...sev1In30,
      incidents: 2,
      first_notice_median_ms: minutes(15),
      first_notice_missed: 1,
      updates_due: 3,
      updates_on_time: 2,
      adherence: 0.667,
    };
    assert.deepEqual(report.periods, [
      {
        days: 30,
        from: '2026-03-01T12:00:00.000Z',
        by_severity: [sev1In30, sev2],
        by_scenario: [
          { ...sev1In30, key: 'database-degraded' },
          { ...sev2, key: 'slow-reports' },
        ],
      },
      {
        days: 90,
        from: '2025-12-31T12:00:00.000Z',
        by_severity: [sev1In90, sev2],
        by_scenario: [
          { ...sev1In90, key: 'database-degraded' },
          { ...sev2, key: 'slow-reports' },
        ],
      },
    ]);
    assert.deepEqual(report.channels, [
      { channel: 'webhook', total: 20, sent: 19, dead: 1, fallback: 0, dead_rate: 0.05 },
      { channel: 'email', total: 50, sent: 49, dead: 1, fallback: 0, dead_rate: 0.02 },
      { channel: 'sms', total: 2, sent: 2, dead: 0, fallback: 0, dead_rate: 0 },
    ]);
    assert.deepEqual(report.plan_versions, [{ version, incidents: [ids.b, ids.a, ids.c] }]);

    // A narrower period: only what was declared in it.
    const march = await communicationReport(rita, {
      from: '2026-03-21T00:00:00Z',
      to: '2026-03-31T00:00:00Z',
    });
    assert.equal(march.incidents, 1);
    assert.deepEqual(
      march.periods.map((p) => [p.days, p.from, p.by_scenario.map((g) => g.key)]),
      [
        [30, '2026-03-21T00:00:00.000Z', ['slow-reports']],
        [90, '2026-03-21T00:00:00.000Z', ['slow-reports']],
      ],
    );

    // Each plan version lists the incidents and drills run under it.
    const under = await incidentsOfPlanVersion(rita, version);
    assert.equal(under.length, 5);
    assert.deepEqual(
      under.filter((i) => i.drill).map((i) => i.id),
      [ids.drill],
    );
  },
);

/** Customers' votes on every update of an incident: so many helpful, so many not. */
async function votes(db: Db, incidentId: string, helpful: number, unhelpful: number): Promise<void> {
  const updates = await db
    .selectFrom('incident_updates')
    .select('id')
    .where('incident_id', '=', incidentId)
    .execute();
  for (const { id } of updates) {
    for (let n = 0; n < helpful + unhelpful; n++) {
      await db
        .insertInto('feedback_votes')
        .values({
          id: `${id}-${n}`,
          update_id: id,
          incident_id: incidentId,
          subscriber_id: `sub-${n}`,
          address_hash: null,
          helpful: n < helpful ? 1 : 0,
          comment: null,
          created_at: now,
          changed_at: now,
        })
        .execute();
    }
  }
}

eachDialect(
  test,
  'templates are ranked by customers’ votes on the updates of the period’s real incidents',
  async (db) => {
    const clock = new TestClock(now);
    const { admin, rita } = people(db, clock);
    const { version } = await applyTestPlan(admin, fallbackPlan);
    const ids = await seed(db, version);
    await votes(db, ids.a, 3, 1);
    await votes(db, ids.b, 1, 3);
    await votes(db, ids.c, 4, 0);
    // Neither the drill's nor an older incident's votes count.
    await votes(db, ids.drill, 0, 9);

    const report = await communicationReport(rita, {});
    assert.deepEqual(report.templates, [
      {
        scenario: 'slow-reports',
        status: 'investigating',
        helpful: 4,
        unhelpful: 0,
        votes: 4,
        helpful_share: 1,
      },
      {
        scenario: 'database-degraded',
        status: 'investigating',
        helpful: 4,
        unhelpful: 4,
        votes: 8,
        helpful_share: 0.5,
      },
    ]);
    const march = await communicationReport(rita, { from: '2026-03-21T00:00:00Z', to: now });
    assert.deepEqual(
      march.templates.map((t) => [t.scenario, t.votes]),
      [['slow-reports', 4]],
    );
  },
);

eachDialect(
  test,
  'a period backwards or over 550 days is refused; an unknown plan version is not found',
  async (db) => {
    const { rita } = people(db, new TestClock(now));
    for (const q of [
      { from: now, to: '2026-03-01T00:00:00Z' },
      { from: '2024-01-01T00:00:00Z', to: now },
    ]) {
      await assert.rejects(communicationReport(rita, q), { code: 'validation_failed' });
    }
    await assert.rejects(communicationReport(rita, { from: 'yesterday' } as never), { name: 'ZodError' });
    await assert.rejects(incidentsOfPlanVersion(rita, 99), { code: 'not_found' });
  },
);
