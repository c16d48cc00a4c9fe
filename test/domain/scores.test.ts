import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { longestSilence, reachOf, scoreIncident, scoreRows } from '../../src/domain/scores.ts';

const t0 = Date.parse('2026-03-02T10:00:00.000Z');
const iso = (ms: number) => new Date(t0 + ms).toISOString();

test('reach: the k-th sent delivery, k the share of all rounded up; null until that many were sent', () => {
  const d = (after: number | null) => ({
    update_id: 'u',
    state: after === null ? ('dead' as const) : ('sent' as const),
    sent_at: after === null ? null : iso(after),
    fallback: false,
  });
  assert.deepEqual(reachOf('u', iso(0), [d(3000), d(1000), d(2000), d(4000)]), {
    update_id: 'u',
    subscribers: 4,
    reached: 4,
    p50_ms: 2000,
    p95_ms: 4000,
    p100_ms: 4000,
  });
  const some = reachOf('u', iso(0), [d(1000), d(null), { ...d(500), update_id: 'other' }]);
  assert.deepEqual([some.subscribers, some.p50_ms, some.p95_ms, some.p100_ms], [2, 1000, null, null]);
  assert.deepEqual(reachOf('u', iso(0), []).p50_ms, null);
});

test('the longest silence is the widest gap between detection, each publication and the end', () => {
  assert.equal(longestSilence(iso(0), [iso(5), iso(30), iso(12)], iso(40)), 18);
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 1e7 }), { maxLength: 20 }),
      fc.integer({ min: 0, max: 1e7 }),
      (pubs, end) => {
        const last = Math.max(end, ...pubs);
        const longest = longestSilence(iso(0), pubs.map(iso), iso(last));
        const points = [0, ...pubs, last].sort((a, b) => a - b);
        // No gap is longer, and the gaps cannot all be shorter than an even share of the whole span.
        for (let i = 1; i < points.length; i += 1)
          assert.ok((points[i] ?? 0) - (points[i - 1] ?? 0) <= longest);
        assert.ok(longest * (points.length - 1 || 1) >= last);
      },
    ),
  );
});

test('a drill at speed N scores in plan time what the same incident scores at its plan’s pace', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1000 }),
      fc.array(fc.integer({ min: 1, max: 600 }), { minLength: 4, maxLength: 4 }),
      (speed, [a = 1, b = 1, c = 1, e = 1]) => {
        const run = (n: number) => {
          const at = (minutes: number) => iso((minutes * 60_000) / n);
          return scoreIncident(
            {
              detected_at: at(0),
              declared_at: at(a),
              first_internal_at: at(a + b),
              first_external_at: at(a + c),
              resolved_at: at(a + c + e),
              drill_speed: n,
            },
            [
              {
                id: 'x',
                audience: 'public',
                published_at: at(a + c),
                submitted_at: at(a),
                approved_at: at(a + c),
                published_unapproved: false,
                lint_override: false,
              },
              {
                id: 'y',
                audience: 'public',
                published_at: at(a + c + e),
                submitted_at: null,
                approved_at: null,
                published_unapproved: false,
                lint_override: true,
              },
            ],
            [{ audience: 'public', updates_due: 1, updates_on_time: 1 }],
            [],
            { first_external_ms: 15 * 60_000 },
            at(10_000),
          );
        };
        const plan = run(1);
        const drill = run(speed);
        assert.equal(drill.speed, speed);
        for (const key of [
          'detection_to_declared_ms',
          'declared_to_first_internal_ms',
          'longest_silence_ms',
        ] as const) {
          assert.ok(Math.abs((drill[key] ?? 0) - (plan[key] ?? 0)) <= speed, key);
        }
        assert.equal(drill.first_external.target_ms, 15 * 60_000);
        assert.equal(plan.first_external.met, a + c <= 15);
        assert.equal(drill.lint_overrides, 1);
      },
    ),
  );
});

test('score rows say each measure, its figure and the target', () => {
  const s = scoreIncident(
    {
      detected_at: null,
      declared_at: iso(0),
      first_internal_at: null,
      first_external_at: iso(20 * 60_000),
      resolved_at: null,
      drill_speed: 1,
    },
    [],
    [{ audience: 'public', updates_due: 3, updates_on_time: 2 }],
    [],
    { first_external_ms: 15 * 60_000 },
    iso(60 * 60_000),
  );
  const rows = scoreRows(s);
  assert.deepEqual(
    rows.find((r) => r.measure === 'declared → first external'),
    {
      measure: 'declared → first external',
      value: '20m',
      target: '15m (missed)',
    },
  );
  assert.deepEqual(rows.find((r) => r.measure === 'cadence public')?.value, '2/3 on time');
  assert.deepEqual(
    rows.find((r) => r.measure === 'longest silence')?.value,
    '1h',
    'open: silence runs until now',
  );
});
