import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { labelOf, scoreSentiment } from '../../src/domain/sentiment.ts';

test('a complaint is negative, thanks for a recovery positive, a status repost neutral', () => {
  assert.equal(
    scoreSentiment('Acme is down again and support ignores us. Unacceptable.', 'en').label,
    'negative',
  );
  assert.equal(scoreSentiment('Back online, thanks Acme for the fast fix!', 'en').label, 'positive');
  assert.equal(scoreSentiment('Acme status: identified, a fix is being deployed.', 'en').label, 'neutral');
  assert.equal(scoreSentiment('Encore une panne, c’est inadmissible.', 'fr').label, 'negative');
  assert.equal(scoreSentiment('Merci pour le rétablissement rapide !', 'fr').label, 'positive');
});

test('praise about a failure with no word of recovery is not counted: irony reads negative', () => {
  const ironic = scoreSentiment('Oh great, Acme is down during our launch. Thanks a lot.', 'en');
  assert.equal(ironic.label, 'negative');
  assert.ok(ironic.score < 0);
});

test('a negation turns the words just after it', () => {
  const plain = scoreSentiment('The support was helpful.', 'en');
  const negated = scoreSentiment('The support was not helpful.', 'en');
  assert.ok(plain.score > 0, `${plain.score}`);
  assert.ok(negated.score < 0, `${negated.score}`);
});

test('a language other than English or French is not read: neutral', () => {
  assert.deepEqual(scoreSentiment('Schon wieder ein Ausfall, unglaublich schlecht.', 'de'), {
    score: 0,
    label: 'neutral',
  });
});

test('any text scores within [-1, 1] with the label its score gives', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), fc.constantFrom('en', 'fr'), (text, language) => {
      const { score, label } = scoreSentiment(text, language);
      assert.ok(score >= -1 && score <= 1, `${score}`);
      assert.equal(label, labelOf(score));
    }),
    { numRuns: 200 },
  );
});
