import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesEtag, pickEncoding } from '../../src/statuspage/entries.ts';
import { foldLine } from '../../src/statuspage/feeds.ts';
import { textOn } from '../../src/statuspage/page.ts';
import { dailyUptime, formatPercent, type StatusPoint, windowUptime } from '../../src/statuspage/uptime.ts';

test('uptime: a major outage counts fully, a partial outage for 30 %, maintenance not at all', () => {
  const now = new Date('2026-03-10T12:00:00.000Z');
  const points: StatusPoint[] = [
    { status: 'major_outage', at: '2026-03-08T00:00:00.000Z' },
    { status: 'operational', at: '2026-03-08T06:00:00.000Z' },
    { status: 'partial_outage', at: '2026-03-09T00:00:00.000Z' },
    { status: 'under_maintenance', at: '2026-03-09T12:00:00.000Z' },
    { status: 'operational', at: '2026-03-10T00:00:00.000Z' },
  ];
  const days = dailyUptime('operational', points, '2026-03-01T00:00:00.000Z', now, 5);
  assert.deepEqual(
    days.map((d) => [d.date, d.uptime, d.worst]),
    [
      ['2026-03-06', 1, 'operational'],
      ['2026-03-07', 1, 'operational'],
      ['2026-03-08', 0.75, 'major_outage'],
      ['2026-03-09', 1 - 0.5 * 0.3, 'partial_outage'],
      ['2026-03-10', 1, 'operational'],
    ],
  );
  assert.equal(days[2]?.majorSeconds, 6 * 3600);
  assert.equal(windowUptime(days), (1 + 1 + 0.75 + 0.85 + 1) / 5);
  const young = dailyUptime(undefined, [], '2026-03-09T12:00:00.000Z', now, 3);
  assert.deepEqual(
    young.map((d) => d.uptime),
    [null, 1, 1],
    'days before the component existed have no data',
  );
  assert.equal(formatPercent(0.99999), '99.99%', 'rounds down, never up to 100');
});

test('calendar lines fold at 75 octets without splitting a character', () => {
  const line = `SUMMARY:${'é'.repeat(100)}`;
  const folded = foldLine(line).split('\r\n');
  for (const l of folded) assert.ok(Buffer.byteLength(l) <= 75);
  assert.equal(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join(''), line);
});

test('encoding negotiation and ETag matching', () => {
  assert.equal(pickEncoding(undefined), 'identity');
  assert.equal(pickEncoding('gzip, deflate, br, zstd'), 'br');
  assert.equal(pickEncoding('gzip'), 'gzip');
  assert.equal(pickEncoding('br;q=0, gzip;q=0.5'), 'gzip');
  assert.equal(pickEncoding('*;q=0'), 'identity');
  assert.equal(matchesEtag('W/"abc-br", "zzz"', 'abc'), true);
  assert.equal(matchesEtag('"abcd"', 'abc'), false);
  assert.equal(matchesEtag('"xyz", "abc-brf"', 'abc'), true, 'compressed fast');
  assert.equal(matchesEtag('"abc-gzf"', 'abc'), true);
  assert.equal(matchesEtag('"abc-zz"', 'abc'), false);
  assert.equal(matchesEtag('"zabc-br"', 'abc'), false);
  assert.equal(matchesEtag('"abc-brf', 'abc'), false, 'an unterminated tag');
  assert.equal(matchesEtag('*', 'abc'), true);
});

test('header text colour contrasts with the configured colour', () => {
  assert.equal(textOn('#1d4ed8'), '#ffffff');
  assert.equal(textOn('#fde047'), '#111111');
});
