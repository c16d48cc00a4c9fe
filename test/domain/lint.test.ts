import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { checkLength } from '../../src/domain/channel-limits.ts';
import type { IncidentStatus } from '../../src/domain/incidents.ts';
import { lintMessage } from '../../src/domain/lint.ts';
import { countSyllables, fleschKincaidGrade, textStats } from '../../src/domain/readability.ts';
import { renderTemplate, type TemplateVariables } from '../../src/domain/templates.ts';

test('a lint problem says what is missing or what to change', () => {
  const problems = lintMessage('We are looking into it.', { status: 'investigating' });
  const impact = problems.find((p) => p.code === 'missing_impact');
  const next = problems.find((p) => p.code === 'missing_next_update');
  assert.match(impact?.message ?? '', /what customers experience/);
  assert.match(next?.message ?? '', /when customers will hear next/);
});

test('terms the plan declares internal are jargon; allowed terms are not', () => {
  const text = 'Payments through Switchyard fail. Cluster sync is slow. Next update by 10:00 UTC.';
  const codes = lintMessage(text, { status: 'investigating', internalTerms: ['switchyard'] });
  assert.deepEqual(
    codes.map((p) => p.match),
    ['Switchyard', 'Cluster'],
  );
  const allowed = lintMessage(text, { status: 'investigating', allowTerms: ['cluster'] });
  assert.deepEqual(allowed, []);
});

test('a resolved message needs no next update time', () => {
  assert.deepEqual(
    lintMessage('Card payments work normally again for all customers.', { status: 'resolved' }),
    [],
  );
});

test('a closing message must say what works again and for whom, and each finding says what to write', () => {
  const codes = (text: string) => lintMessage(text, { status: 'resolved' }).map((p) => p.code);
  assert.deepEqual(codes('The issue has been resolved. Thank you for your patience.'), [
    'missing_recovery',
    'missing_scope',
  ]);
  // "you" in thanks or advice is no audience; a generic subject is no thing that works.
  assert.deepEqual(codes('Everything is working again. If you still see errors, contact support.'), [
    'missing_recovery',
    'missing_scope',
  ]);
  assert.deepEqual(codes('Emails are delivered on time again.'), ['missing_scope']);
  assert.deepEqual(codes('Everything is working again for all customers.'), ['missing_recovery']);
  // Jargon names nothing customers use, so it does not count as what works again.
  assert.ok(codes('The pods have been restarted for all customers.').includes('missing_recovery'));
  for (const good of [
    'Emails you send are delivered on time again.',
    'Card payments in Europe work again.',
    'Door entry codes work again at every gym.',
    'Students can open quizzes again.',
  ]) {
    assert.deepEqual(codes(good), [], good);
  }
  const problems = lintMessage('Resolved.', { status: 'resolved' });
  assert.match(problems.find((p) => p.code === 'missing_recovery')?.message ?? '', /say what works again/);
  assert.match(problems.find((p) => p.code === 'missing_scope')?.message ?? '', /for whom/);
});

test('impact is recognised however a plain writer states it', () => {
  const next = ' Next update by 14:30 UTC.';
  for (const text of [
    'An issue is affecting card payments for customers in the EU.',
    'We are looking into a problem with the mobile app. The website remains available.',
    'Customers in the EU may see older prices on product pages.',
    'Some of you are having trouble joining meetings from a calendar link.',
    'Reports show yesterday’s numbers.',
    'Parcel lockers in Lyon are not opening with your code.',
    'Bookings made by phone are not affected; online bookings are paused.',
  ]) {
    assert.deepEqual(lintMessage(text + next, { status: 'investigating' }), [], text);
  }
  // Only people, or only vague words, after "affecting" says nothing of what fails.
  for (const text of [
    'An issue is affecting some customers.',
    'Customers may experience issues.',
    'We know what is wrong.',
    'Our payment provider has an outage.',
  ]) {
    const codes = lintMessage(text + next, { status: 'investigating' }).map((p) => p.code);
    assert.ok(codes.includes('missing_impact'), text);
  }
});

test('a short text is held to the reading level with a margin; a long one to the limit', () => {
  const short =
    'Everything is back to normal: customers in Europe can pay by card again, and no payment was taken twice.';
  assert.ok(fleschKincaidGrade(short) > 9);
  assert.deepEqual(lintMessage(short, { status: 'resolved' }), []);
  const dense =
    'After extensive investigation our engineering team implemented comprehensive measures, so card payments work again for all customers.';
  assert.deepEqual(
    lintMessage(dense, { status: 'resolved' }).map((p) => p.code),
    ['reading_level'],
  );
  const long = `${short} ${short.replace('Europe', 'Asia')}`;
  assert.deepEqual(
    lintMessage(long, { status: 'resolved', maxGrade: 6 }).map((p) => p.code),
    ['reading_level'],
  );
});

test('length is checked per channel kind: SMS by segments, social by characters', () => {
  const long = `Card payments fail for some customers. Next update by 14:30 CET. ${'More words here. '.repeat(30)}`;
  const sms = lintMessage(long, { status: 'investigating', kind: 'sms' }).find((p) => p.code === 'too_long');
  assert.match(sms?.message ?? '', /segments/);
  const social = lintMessage(long, { status: 'investigating', kind: 'social' }).find(
    (p) => p.code === 'too_long',
  );
  assert.match(social?.message ?? '', /characters; the limit is 280/);
  assert.equal(checkLength('sms', 'a'.repeat(160)).segments, 1);
  assert.equal(checkLength('sms', 'a'.repeat(161)).segments, 2);
  assert.equal(checkLength('sms', 'é€'.repeat(10)).encoding, 'GSM-7');
  assert.equal(checkLength('sms', '😀'.repeat(36)).segments, 2);
});

test('a social text is counted as its network counts: graphemes, and for Mastodon a link as 23', () => {
  const link = `https://status.example/incidents/${'x'.repeat(200)}`;
  const text = `Card payments fail for some customers. Details: ${link}`;
  assert.equal(checkLength('social', text).length, [...text].length);
  assert.equal(checkLength('social', text).ok, false, 'by code points, the long link does not fit in 280');
  const counted = checkLength('social', text, undefined, null, 'graphemes_short_links');
  assert.equal(counted.length, [...text].length - [...link].length + 23);
  assert.equal(counted.ok, true);
  const flags = '🇫🇷'.repeat(200);
  assert.equal(checkLength('social', flags, undefined, 300, 'graphemes').length, 200);
  assert.equal(checkLength('social', flags, undefined, 300).length, 400, 'two code points a flag');
  const problems = lintMessage(`Card payments fail for some customers. ${link}`, {
    status: 'resolved',
    kind: 'social',
    counting: 'graphemes_short_links',
  });
  assert.deepEqual(
    problems.filter((p) => p.code === 'too_long'),
    [],
  );
});

test('Flesch–Kincaid grade follows the formula on a counted text', () => {
  // 2 sentences, 10 words, syllables: the(1) cat(1) sat(1) on(1) the(1) mat(1) it(1) was(1) very(2) happy(2) = 12
  const text = 'The cat sat on the mat. It was very happy.';
  assert.deepEqual(textStats(text), { words: 10, sentences: 2, syllables: 12 });
  const expected = 0.39 * (10 / 2) + 11.8 * (12 / 10) - 15.59;
  assert.equal(fleschKincaidGrade(text), Math.round(expected * 10) / 10);
  assert.equal(countSyllables('investigating'), 5);
  // A name inside a sentence is a familiar word: one syllable, as Dale–Chall counts proper nouns.
  assert.equal(textStats('Payments fail in Australia.').syllables, 2 + 1 + 1 + 1);
  assert.equal(countSyllables('payments'), 2);
});

test('lint never throws and reading level never decreases when every word gets longer', () => {
  fc.assert(
    fc.property(
      fc.string({ maxLength: 500 }),
      fc.constantFrom<IncidentStatus>('investigating', 'resolved'),
      (s, status) => {
        lintMessage(s, { status });
      },
    ),
  );
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom('we', 'fix', 'the', 'page', 'now'), { minLength: 12, maxLength: 40 }),
      (words) => {
        const short = `${words.join(' ')}.`;
        const long = `${words.map((w) => `${w}ification`).join(' ')}.`;
        assert.ok(fleschKincaidGrade(long) >= fleschKincaidGrade(short));
      },
    ),
  );
});

const vars: TemplateVariables = {
  components: 'API',
  component_list: ['API'],
  impact: 'API requests fail.',
  status: 'investigating',
  status_label: 'Investigating',
  eta: null,
  next_update_at: '14:30 CET',
  workaround: null,
  incident_url: 'https://status.example.com/incidents/1',
  incident_name: 'API errors',
  page_name: 'Acme',
  severity: 'SEV1',
};

test('templates render variables, and are sandboxed: no files, no unknown names', () => {
  const ok = renderTemplate(
    '{{ impact }} Next update by {{ next_update_at }}.{% if eta %} Fix by {{ eta }}.{% endif %}',
    vars,
  );
  assert.deepEqual(ok, { ok: true, text: 'API requests fail. Next update by 14:30 CET.' });
  for (const source of [
    '{% include "/etc/passwd" %}',
    '{% render "../../package.json" %}',
    '{% layout "x" %}',
    '{{ missing_variable }}',
    '{{ impact | no_such_filter }}',
    '{{ impact.constructor }}',
  ]) {
    const r = renderTemplate(source, vars);
    assert.equal(r.ok, false, source);
  }
  assert.deepEqual(renderTemplate('{{ "2026-01-15T13:30:00Z" | time }}', vars, 'Europe/Paris'), {
    ok: true,
    text: '14:30 CET',
  });
});

test('host-shaped words are found word by word, and long runs of dashes or dots do not stall lint', () => {
  const found = lintMessage('We restarted db-primary-3 and api.payments.internal.', {
    status: 'investigating',
  });
  const matches = found.filter((p) => p.code === 'jargon').map((p) => p.match);
  assert.deepEqual(matches.sort(), ['api.payments.internal', 'db-primary-3']);
  // Before word-by-word matching, one such 100 kB body held the event loop for over 20 seconds.
  // The bound is generous: this guards against a denial of service, not a speed target.
  for (const body of [
    'a-'.repeat(50_000),
    'a.'.repeat(50_000),
    '-'.repeat(100_000),
    'a'.repeat(100_000),
    'a '.repeat(50_000),
    'not '.repeat(25_000),
    'affecting the '.repeat(7_000),
  ]) {
    const started = performance.now();
    lintMessage(body, { status: 'investigating' });
    assert.ok(performance.now() - started < 3000, `lint took ${performance.now() - started} ms`);
  }
});
