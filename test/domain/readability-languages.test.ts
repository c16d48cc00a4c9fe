/** Reading level per language: syllables by each language's rules, each formula as published. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  minEaseFor,
  readingEase,
  readingLevelProblem,
  syllablesOf,
} from '../../src/domain/readability-languages.ts';

test('syllables follow each language: a silent French final e, German diphthongs, Spanish hiatus', () => {
  const cases: [string, 'fr' | 'de' | 'es', number][] = [
    ['connexion', 'fr', 3],
    ['panne', 'fr', 1],
    ['clients', 'fr', 1],
    ['fonctionne', 'fr', 2],
    ['Anmeldung', 'de', 3],
    ['Kunden', 'de', 2],
    ['Zeit', 'de', 1],
    ['Störung', 'de', 2],
    ['servicio', 'es', 3],
    ['teatro', 'es', 3],
    ['aéreo', 'es', 4],
  ];
  for (const [word, language, n] of cases)
    assert.equal(syllablesOf(word, language), n, `${word} (${language})`);
});

test('each formula as published: Kandel–Moles, Amstad, Fernández Huerta', () => {
  // One sentence of four words and six syllables: 4 words a sentence, 1.5 syllables a word.
  assert.equal(
    readingEase('La connexion est lente.', 'fr'),
    Math.round((207 - 1.015 * 4 - 73.6 * (6 / 4)) * 10) / 10,
  );
  // "Die Anmeldung ist langsam": 1 + 3 + 1 + 2 = 7 syllables.
  assert.equal(
    readingEase('Die Anmeldung ist langsam.', 'de'),
    Math.round((180 - 4 - 58.5 * (7 / 4)) * 10) / 10,
  );
  // "El servicio está lento": 1 + 3 + 2 + 2 = 8 syllables, 1 sentence of 4 words.
  assert.equal(
    readingEase('El servicio está lento.', 'es'),
    Math.round((206.84 - 0.6 * 200 - 1.02 * 25) * 10) / 10,
  );
});

test("the plan's grade maps to a reading ease by Flesch's table, and to a sentence length elsewhere", () => {
  assert.equal(minEaseFor(9), 50);
  assert.equal(minEaseFor(5), 90);
  assert.equal(readingLevelProblem('La connexion est lente. Nous corrigeons.', 'fr', 9), null);
  assert.equal(readingLevelProblem('A conexão está lenta.', 'pt', 9), null);
  const long = `${Array.from({ length: 30 }, () => 'palavra').join(' ')}.`;
  assert.equal(
    readingLevelProblem(long, 'pt', 9),
    "A Portuguese sentence has 30 words, more than 25 for the plan's grade 9. Split it.",
  );
  assert.match(readingLevelProblem(`${'接続'.repeat(50)}。`, 'ja', 9) ?? '', /100 characters, more than 80/);
  // Arabic words are counted by the spaces between them, and ؟ ends a sentence.
  assert.equal(readingLevelProblem('تسجيل الدخول بطيء. نعمل على إصلاحه.', 'ar', 9), null);
  const arabic = Array.from({ length: 26 }, () => 'كلمة').join(' ');
  assert.equal(
    readingLevelProblem(`${arabic}.`, 'ar', 9),
    "An Arabic sentence has 26 words, more than 25 for the plan's grade 9. Split it.",
  );
  const twenty = Array.from({ length: 20 }, () => 'كلمة').join(' ');
  assert.equal(
    readingLevelProblem(`${twenty}؟ ${twenty}.`, 'ar', 9),
    null,
    'two sentences of 20, not one of 40',
  );
  assert.match(
    readingLevelProblem(
      'Remediation of the intermittent authentication infrastructure degradation is ongoing.',
      'en',
      9,
    ) ?? '',
    /Flesch–Kincaid/,
  );
});
