import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  channelsOverDeadRate,
  type IncidentSummary,
  proposedCadenceMs,
  severitiesMissingCadence,
  unhelpfulTemplates,
} from '../../src/domain/trends.ts';

const incident = (n: number, missed: boolean, severity = 'SEV1'): IncidentSummary => ({
  id: `i${n}`,
  severity,
  scenario: null,
  declared_at: new Date(Date.UTC(2026, 0, n)).toISOString(),
  first_notice_ms: null,
  first_notice_met: null,
  updates_due: 2,
  updates_on_time: missed ? 1 : 2,
  intervals_ms: [n * 60_000],
});

test('cadence: more than half of the last five missed, judged on three at least', () => {
  // Newest first: 7, 6 missed; 5, 4, 3 kept; 2, 1 missed but older than the last five.
  const list = [1, 2, 6, 7].map((n) => incident(n, true)).concat([3, 4, 5].map((n) => incident(n, false)));
  assert.deepEqual(severitiesMissingCadence(list), []);
  const worse = [...list, incident(8, true)];
  assert.deepEqual(severitiesMissingCadence(worse), [
    {
      severity: 'SEV1',
      incidents: ['i8', 'i7', 'i6', 'i5', 'i4'],
      missed: 3,
      median_interval_ms: 6 * 60_000,
    },
  ]);
  assert.deepEqual(severitiesMissingCadence([incident(1, true), incident(2, true)]), [], 'two are too few');
  assert.equal(severitiesMissingCadence([1, 2, 3].map((n) => incident(n, true, 'SEV2')))[0]?.missed, 3);
});

test('the proposed cadence: the observed pace rounded up to 5 minutes, at least 1.5 times today’s', () => {
  assert.equal(proposedCadenceMs(30 * 60_000, 41 * 60_000), 45 * 60_000);
  assert.equal(proposedCadenceMs(30 * 60_000, 61 * 60_000), 65 * 60_000);
  assert.equal(proposedCadenceMs(30 * 60_000, null), 45 * 60_000);
});

test('a dead rate passes 2% only above it; a template needs 20 votes and 30% unhelpful', () => {
  assert.deepEqual(
    channelsOverDeadRate([
      { channel: 'email', total: 50, sent: 49, dead: 1, fallback: 0 },
      { channel: 'sms', total: 49, sent: 48, dead: 1, fallback: 0 },
    ]).map((c) => c.channel),
    ['sms'],
  );
  const t = (status: string, helpful: number, unhelpful: number) => ({
    scenario: 'db',
    status,
    helpful,
    unhelpful,
  });
  assert.deepEqual(
    unhelpfulTemplates([t('investigating', 14, 6), t('identified', 13, 6), t('resolved', 8, 12)]).map((x) => [
      x.status,
      x.votes,
      x.helpful_share,
    ]),
    [
      ['investigating', 20, 0.7],
      ['resolved', 20, 0.4],
    ],
  );
});
