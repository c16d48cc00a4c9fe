import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { smsText } from '../../src/channels/sms-text.ts';
import { countSegments, fitSegments } from '../../src/domain/sms.ts';

test('GSM-7 and UCS-2 segments: 160/153 and 70/67, extension characters count twice', () => {
  assert.deepEqual(countSegments('a'.repeat(160)), { encoding: 'GSM-7', units: 160, segments: 1 });
  assert.deepEqual(countSegments('a'.repeat(161)), { encoding: 'GSM-7', units: 161, segments: 2 });
  assert.deepEqual(countSegments('a'.repeat(306)), { encoding: 'GSM-7', units: 306, segments: 2 });
  assert.deepEqual(countSegments('€'.repeat(80)), { encoding: 'GSM-7', units: 160, segments: 1 });
  assert.deepEqual(countSegments('é'.repeat(160)).encoding, 'GSM-7');
  assert.deepEqual(countSegments('ç'.repeat(70)), { encoding: 'UCS-2', units: 70, segments: 1 });
  assert.deepEqual(countSegments('ç'.repeat(71)), { encoding: 'UCS-2', units: 71, segments: 2 });
  assert.deepEqual(countSegments('🙂'.repeat(35)), { encoding: 'UCS-2', units: 70, segments: 1 });
});

test('fitting never exceeds the budget nor splits a character', () => {
  fc.assert(
    fc.property(
      fc.string({ unit: 'grapheme', maxLength: 800 }),
      fc.integer({ min: 1, max: 5 }),
      (text, max) => {
        const fitted = fitSegments(text, max);
        assert.ok(countSegments(fitted).segments <= max);
        assert.ok(!/[\uD800-\uDBFF]$/.test(fitted.replace(/(\.\.\.|…)$/, '')), 'no lone high surrogate');
      },
    ),
  );
});

test('an SMS keeps its links when the body is shortened', () => {
  const text = smsText(
    {
      id: 'x',
      kind: 'incident',
      title: 'API errors: Investigating',
      text: 'word '.repeat(200),
      url: 'https://status.example/incidents/abc',
      manageUrl: 'https://status.example/unsubscribe/tok',
    },
    2,
  );
  assert.ok(countSegments(text).segments <= 2);
  assert.match(text, /https:\/\/status\.example\/incidents\/abc/);
  assert.match(text, /reply STOP/);
});
