/** The reader's language from Accept-Language: quality values, ranges, the plan's language as the fallback, a bounded memory. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageLanguageOf, ReaderLanguages } from '../../src/domain/reader-language.ts';

test('quality values, ranges and the fallback decide the language', () => {
  const readers = new ReaderLanguages('en');
  const cases: [string | undefined, string][] = [
    [undefined, 'en'],
    ['', 'en'],
    ['fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5', 'fr'],
    ['ja-JP', 'ja'],
    ['pt-BR,pt;q=0.9', 'pt'],
    ['de;q=0.1, pt-BR;q=0.5', 'pt'],
    ['es-419,es;q=0.9', 'es'],
    ['AR', 'ar'],
    ['zh-CN,zh;q=0.9', 'en'],
    ['*', 'en'],
    ['fr;q=0.5, *', 'en'],
    ['fr;q=0, es', 'es'],
    ['en;q=0, fr;q=0', 'en'],
    ['en-US,en;q=0.9,fr;q=0.8', 'en'],
    [';;;,,q=1', 'en'],
    ['fr;q=abc', 'en'],
  ];
  for (const [header, expected] of cases) assert.equal(readers.choose(header), expected, String(header));
});

test("the plan's language answers a reader who accepts anything, or nothing Crier speaks", () => {
  const readers = new ReaderLanguages('fr');
  assert.equal(readers.choose('*'), 'fr');
  assert.equal(readers.choose('zh-TW'), 'fr');
  assert.equal(readers.choose('en-GB,en;q=0.9'), 'en');
});

test('decisions are remembered by the exact header, up to a cap, the oldest forgotten first', () => {
  const readers = new ReaderLanguages('en', 3);
  readers.choose('fr');
  readers.choose('fr');
  assert.equal(readers.size, 1, 'a repeated header is one entry');
  for (const h of ['de', 'es', 'ja', 'pt']) readers.choose(h);
  assert.equal(readers.size, 3);
  assert.equal(readers.choose('fr'), 'fr', 'a forgotten header is decided again, the same way');
});

test('a value names a page language by its primary subtag', () => {
  assert.equal(pageLanguageOf('pt-BR'), 'pt');
  assert.equal(pageLanguageOf('FR'), 'fr');
  assert.equal(pageLanguageOf('zh'), undefined);
  assert.equal(pageLanguageOf(42), undefined);
  assert.equal(pageLanguageOf(null), undefined);
});
