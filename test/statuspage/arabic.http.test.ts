/**
 * Arabic, the page's right-to-left language: `/ar/` says `lang="ar"
 * dir="rtl"` (every other language `dir="ltr"`), speaks Arabic with its six
 * plural forms where a count is shown, writes dates through Intl in the
 * page's time zone, and is listed by every page's switcher.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { patchIncident } from '../../src/services/incidents/patch.ts';
import { translator } from '../../src/statuspage/i18n.ts';
import { startTestApp } from '../helpers/http.ts';

test('Arabic counts take zero, one, two, few, many and other', () => {
  const t = translator('ar');
  const earlier = [0, 1, 2, 3, 11, 100].map((count) => t('earlier', { count }));
  assert.deepEqual(earlier, [
    'التحديثات السابقة (لا تحديثات)',
    'التحديثات السابقة (تحديث واحد)',
    'التحديثات السابقة (تحديثان)',
    'التحديثات السابقة (3 تحديثات)',
    'التحديثات السابقة (11 تحديثًا)',
    'التحديثات السابقة (100 تحديث)',
  ]);
  const bad = [0, 1, 2, 3, 11, 100].map((n) => t('uptime.label', { days: 90, pct: 'P', bad: n }));
  assert.deepEqual(bad, [
    'سجل 90 يومًا: P، لا أيام فيها أعطال أو صيانة',
    'سجل 90 يومًا: P، يوم واحد فيها أعطال أو صيانة',
    'سجل 90 يومًا: P، يومان فيها أعطال أو صيانة',
    'سجل 90 يومًا: P، 3 أيام فيها أعطال أو صيانة',
    'سجل 90 يومًا: P، 11 يومًا فيها أعطال أو صيانة',
    'سجل 90 يومًا: P، 100 يوم فيها أعطال أو صيانة',
  ]);
  assert.deepEqual(
    [1, 2, 3, 11, 100].map((days) => t('uptime.start', { days })),
    ['قبل يوم واحد', 'قبل يومين', 'قبل 3 أيام', 'قبل 11 يومًا', 'قبل 100 يوم'],
  );
});

test('/ar/ is Arabic, right to left, with Arabic dates; the others stay left to right', async () => {
  const t = await startTestApp({ name: 'sqlite', url: 'sqlite::memory:' }, { env: { CRIER_DEMO: 'false' } });
  try {
    const incident = await declareIncident(t.app.systemCtx, {
      name: 'Slow <logins>',
      body: 'Logins are slow.',
      started_at: '2026-11-27T09:05:00Z',
    });
    await patchIncident(t.app.systemCtx, incident.id, { status: 'identified', body: 'Found it.' });
    await patchIncident(t.app.systemCtx, incident.id, { status: 'monitoring', body: 'Watching.' });
    await t.app.statusPage.refresh();

    const index = await t.app.server.inject({ url: '/ar' });
    assert.equal(index.statusCode, 200);
    assert.match(index.body, /<html lang="ar" dir="rtl">/);
    assert.match(index.body, /<h2 id="incidents-h">الأعطال الحالية<\/h2>/);
    assert.match(index.body, /<span class="badge">قيد المراقبة<\/span>/);
    assert.match(index.body, /Slow &lt;logins&gt;/, 'user text stays escaped');
    assert.ok(index.body.includes('التحديثات السابقة (تحديثان)'), 'two earlier updates: the dual form');
    assert.match(index.body, /<a href="\/ar\/" hreflang="ar" lang="ar" aria-current="page">العربية<\/a>/);

    const page = await t.app.server.inject({ url: `/ar/incidents/${incident.id}` });
    assert.match(page.body, /<html lang="ar" dir="rtl">/);
    const arabic = new Intl.DateTimeFormat('ar', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });
    assert.ok(
      page.body.includes(arabic.format(new Date(incident.incident_updates[0]?.display_at ?? ''))),
      'an Arabic date, in the page time zone',
    );
    assert.ok(page.body.includes('هل كان هذا التحديث مفيدًا؟'), 'asked in Arabic');

    for (const url of ['/', '/fr', '/ja/history']) {
      const other = await t.app.server.inject({ url });
      assert.match(other.body, /<html lang="[a-z]{2}" dir="ltr">/, url);
      assert.ok(other.body.includes('hreflang="ar" lang="ar">العربية</a>'), `${url} lists Arabic`);
    }
  } finally {
    await t.close();
  }
});
