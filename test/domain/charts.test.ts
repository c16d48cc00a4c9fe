import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { cadenceChart, deliveriesChart } from '../../src/domain/charts.ts';
import { cadenceTimeline, deliveriesOverTime } from '../../src/domain/timeline.ts';

const t = (s: number) => new Date(Date.parse('2026-03-02T10:00:00.000Z') + s * 1000).toISOString();

test('deliveries are counted in the narrowest buckets that keep the chart under 48 bars, none lost', () => {
  assert.deepEqual(deliveriesOverTime(t(0), [t(3), t(3.5), t(9)]), [
    ...Array.from({ length: 9 }, (_, i) => ({ from: t(i), sent: i === 3 ? 2 : 0 })),
    { from: t(9), sent: 1 },
  ]);
  assert.equal(
    deliveriesOverTime(t(0), [t(3600)])[0]?.from,
    t(0),
    'an hour in 5-minute bars starts at its bucket',
  );
  assert.equal(deliveriesOverTime(t(0), [t(3600)]).length, 13);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 400_000 }), { minLength: 1, maxLength: 50 }), (secs) => {
      const buckets = deliveriesOverTime(t(0), secs.map(t));
      assert.ok(buckets.length <= 48);
      assert.equal(
        buckets.reduce((a, b) => a + b.sent, 0),
        secs.length,
      );
    }),
  );
});

test('the cadence timeline pairs each publication with the deadline it answered', () => {
  const points = cadenceTimeline(
    ['public'],
    [
      { audience: 'public', published_at: t(600), next_update_at: t(2400) },
      { audience: 'public', published_at: t(3000), next_update_at: t(4800) },
    ],
    t(900),
    true,
    t(5000),
  );
  assert.deepEqual(
    points.map((p) => [p.deadline, p.published_at, p.on_time]),
    [
      [t(900), t(600), true],
      [t(2400), t(3000), false],
      [t(4800), null, false],
    ],
  );
});

test('charts escape every text they draw and carry a title, a description and their table', () => {
  const hostile = '<img src=x onerror=alert(1)>&"\'';
  const chart = cadenceChart(
    [{ audience: hostile, deadline: t(10), published_at: t(20), on_time: false }],
    t(0),
    t(30),
  );
  assert.ok(!chart.svg.includes('<img'), chart.svg);
  assert.ok(chart.svg.includes('&lt;img src=x onerror=alert(1)&gt;&amp;&quot;&#39;'));
  assert.match(chart.svg, /<title id="cadence-title">Cadence: each update against its deadline<\/title>/);
  assert.match(chart.svg, /<desc id="cadence-desc">1 updates to 1 audiences; 1 late.<\/desc>/);
  assert.deepEqual(chart.table.rows, [[hostile, t(10), t(20), 'no']]);
  const bars = deliveriesChart([
    { from: t(0), sent: 3 },
    { from: t(60), sent: 1 },
  ]);
  assert.equal((bars.svg.match(/<rect /g) ?? []).length, 2);
  assert.deepEqual(bars.table, {
    columns: ['from', 'sent'],
    rows: [
      [t(0), 3],
      [t(60), 1],
    ],
  });
});
