/**
 * Plan suggestions from a seeded history, on both databases: SEV1 missed
 * its cadence in two of its last three incidents, and one email in ten
 * died; each suggestion's diff applies as a new plan version.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { currentPlan } from '../../src/services/plan/current.ts';
import { suggestPlanChanges } from '../../src/services/review/suggest.ts';
import { eachDialect, TestClock } from '../helpers/db.ts';
import { at, seedIncident } from '../helpers/history.ts';
import { applyTestPlan, people, sev1Plan } from '../helpers/plan.ts';

const now = '2026-03-31T12:00:00.000Z';
const backupPlan = sev1Plan.replace(
  '  webhook: { type: webhook }',
  '  webhook: { type: webhook }\n  email-backup: { type: email-smtp, url: env:TEST_SMTP_URL, from: backup@acme.example }',
);

eachDialect(
  test,
  'suggestions: a longer cadence for SEV1 and a fallback for email, each a diff that applies',
  async (db) => {
    const clock = new TestClock(now);
    const { admin, rita } = people(db, clock);
    const { version } = await applyTestPlan(admin, backupPlan);
    const sev1 = async (day: number, gaps: number[], kept: boolean, dead = 0) => {
      const declared = `2026-03-${String(day).padStart(2, '0')}T09:00:00.000Z`;
      let m = 0;
      const times = [0, ...gaps.map((g) => (m += g))];
      return seedIncident(db, {
        severity: 'SEV1',
        declared_at: declared,
        plan_version: version,
        updates: times.map((t, i) => ({
          audience: 'public',
          published_at: at(declared, 5 + t),
          deliveries:
            i === 0
              ? Array.from({ length: 10 }, (_, k) => ({
                  channel: 'email',
                  state: k < dead ? ('dead' as const) : ('sent' as const),
                  after_s: 1,
                }))
              : [],
        })),
        cadence: [{ audience: 'public', due: gaps.length, on_time: kept ? gaps.length : gaps.length - 1 }],
      });
    };
    // Gaps between updates: 40 and 40, 50, and 30 minutes: their median is 40.
    const first = await sev1(10, [40, 40], false, 1);
    const second = await sev1(12, [50], false);
    const third = await sev1(14, [30], true);

    const suggestions = await suggestPlanChanges(admin, {});
    assert.deepEqual(
      suggestions.map((s) => [s.id, s.kind, s.change]),
      [
        ['cadence:SEV1', 'cadence_missed', 'Set severities.SEV1.external_cadence from 30m to 45m.'],
        [
          'channel:email',
          'channel_dead_rate',
          'Give channels.email the fallback email-backup, which serves email subscribers too.',
        ],
      ],
    );
    const [cadence, channel] = suggestions;
    assert.deepEqual(cadence?.evidence, {
      incidents: [third, second, first],
      missed: 2,
      external_cadence: '30m',
      median_interval: '40m',
    });
    assert.equal(
      cadence?.reason,
      'SEV1’s external cadence was missed in 2 of its last 3 incidents.'.replace('’', "'"),
    );
    assert.match(cadence?.diff ?? '', /^- {4}external_cadence: 30m$/m);
    assert.match(cadence?.diff ?? '', /^\+ {4}external_cadence: 45m$/m);
    assert.equal(cadence?.based_on_version, version);
    assert.deepEqual(channel?.evidence, {
      channel: 'email',
      carrier: 'email',
      total: 30,
      dead: 1,
      dead_rate: 0.033,
    });
    assert.match(
      channel?.diff ?? '',
      /^\+ {2}email: \{ type: email-smtp, url: env:TEST_SMTP_URL, from: status@acme\.example, fallback: email-backup \}$/m,
    );
    // Only the one line changes in each.
    const changed = (diff = '') => diff.split('\n').filter((l) => /^[-+](?![-+]{2} )/.test(l));
    assert.deepEqual(changed(cadence?.diff), ['-    external_cadence: 30m', '+    external_cadence: 45m']);
    assert.equal(changed(channel?.diff).length, 2);

    const { applyPlan } = await import('../../src/services/plan/current.ts');
    await applyPlan(admin, { source: cadence?.source ?? '' });
    assert.equal((await currentPlan(db))?.severities.SEV1?.external_cadence, '45m');
    await applyPlan(admin, {
      source: (await suggestPlanChanges(admin, {})).find((s) => s.id === 'channel:email')?.source ?? '',
    });
    assert.equal((await currentPlan(db))?.channels.email?.fallback, 'email-backup');

    // Only those who may apply a plan see its source in a suggestion.
    await assert.rejects(suggestPlanChanges(rita, {}), { code: 'forbidden' });
  },
);
