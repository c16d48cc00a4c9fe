/**
 * How long a call takes to say its text: words at each language's pace,
 * Japanese by characters; the `voice` kind's limit in seconds, lint's
 * `too_long` past it, and a call's text falling back to the SMS text.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLength, defaultLimits, variantUsed } from '../../src/domain/channel-limits.ts';
import { lintMessage } from '../../src/domain/lint.ts';
import { speakingSeconds } from '../../src/domain/speech.ts';

const words = (n: number, word = 'payment') => Array.from({ length: n }, () => word).join(' ');

test('English and French are said at 150 words a minute, German at 130, Arabic at 120', () => {
  assert.equal(speakingSeconds(words(150)), 60);
  assert.equal(speakingSeconds(words(150), 'fr'), 60);
  assert.equal(speakingSeconds(words(130, 'Zahlung'), 'de'), 60);
  assert.equal(speakingSeconds(words(120, 'الدفع'), 'ar'), 60);
  // Rounded up: one word is never zero seconds.
  assert.equal(speakingSeconds('Hello.'), 1);
  assert.equal(speakingSeconds(''), 0);
  // A language Crier does not write in is timed at the English pace.
  assert.equal(speakingSeconds(words(150), 'xx'), 60);
});

test('Japanese is timed by characters, 300 a minute, a Latin word at the English pace', () => {
  assert.equal(speakingSeconds('決済'.repeat(150), 'ja'), 60);
  assert.equal(speakingSeconds(`${'カード'.repeat(50)} API`, 'ja'), 31);
});

test('a contraction or a hyphenated word is one word; a number is one', () => {
  assert.equal(speakingSeconds(`${words(148)} don't e-mail`), 60);
  assert.equal(speakingSeconds(`${words(149)} 2026`), 60);
});

test('a call has a limit in seconds: 45 by default, the plan may change it', () => {
  const short = checkLength('voice', words(100), defaultLimits);
  assert.deepEqual(
    { ok: short.ok, seconds: short.seconds, limit: short.limit, unit: short.unit, length: short.length },
    { ok: true, seconds: 40, limit: 45, unit: 'seconds', length: 799 },
  );
  const long = checkLength('voice', words(120), defaultLimits);
  assert.deepEqual([long.ok, long.seconds], [false, 48]);
  assert.equal(checkLength('voice', words(120), { ...defaultLimits, voice_seconds: 60 }).ok, true);
  // The language sets the pace: 100 German words take longer than 100 French ones.
  assert.equal(checkLength('voice', words(100), defaultLimits, null, 'code_points', 'de').seconds, 47);
});

test('lint reports a call too long to listen to, with its duration and what to keep', () => {
  const text = `Card payments fail for some customers in Europe. Next update by 14:30 UTC. ${words(120)}`;
  const problem = lintMessage(text, { status: 'investigating', kind: 'voice' }).find(
    (p) => p.code === 'too_long',
  );
  assert.ok(problem);
  assert.equal(problem.channel, 'voice');
  assert.equal(problem.match, '54 seconds');
  assert.match(problem.message, /about 54 seconds to say.*the limit is 45 seconds/);
  const fine = lintMessage('Card payments fail for some customers in Europe. Next update by 14:30 UTC.', {
    status: 'investigating',
    kind: 'voice',
  });
  assert.deepEqual(fine, []);
});

test("a call says the voice text, else the SMS text, else the body; other kinds don't fall back", () => {
  assert.equal(variantUsed({ voice: 'v', sms: 's' }, 'voice'), 'voice');
  assert.equal(variantUsed({ sms: 's' }, 'voice'), 'sms');
  assert.equal(variantUsed({ chat: 'c' }, 'voice'), null);
  assert.equal(variantUsed({ voice: 'v' }, 'sms'), null);
  assert.equal(variantUsed({ sms: 's' }, 'social'), null);
  assert.equal(variantUsed({ sms: 's' }, null), null);
});
