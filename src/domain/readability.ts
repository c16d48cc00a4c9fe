/**
 * Reading level by the Flesch–Kincaid grade formula:
 * 0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59.
 * Syllables are estimated from vowel groups, as most implementations do;
 * good enough to tell "We are fixing it" from "remediation is ongoing".
 * Names inside a sentence count as familiar words (see `syllablesIn`).
 */

export interface TextStats {
  words: number;
  sentences: number;
  syllables: number;
}

/** Words a reader reads: URLs, times, numbers and template leftovers are not scored. */
export function wordsOf(text: string): string[] {
  return text
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/[^A-Za-zÀ-ÖØ-öø-ÿ']+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => /[A-Za-zÀ-ÖØ-öø-ÿ]/.test(w));
}

export function countSyllables(word: string): number {
  let w = word.toLowerCase().replace(/[^a-z]/g, '');
  if (w.length === 0) return 1;
  if (w.length <= 3) return 1;
  w = w.replace(/(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$/, '').replace(/^y/, '');
  const groups = w.match(/[aeiouy]{1,2}/g);
  return Math.max(1, groups?.length ?? 1);
}

/**
 * A name inside a sentence (Australia, Google, EU) counts as one syllable:
 * the reader knows it, as the Dale–Chall formula counts proper nouns as
 * familiar words, and a place or product name does not make a text harder.
 */
function syllablesIn(sentence: string): number {
  return wordsOf(sentence).reduce(
    (n, w, i) => n + (i > 0 && /^[A-ZÀ-ÖØ-Þ]/.test(w) ? 1 : countSyllables(w)),
    0,
  );
}

export function textStats(text: string): TextStats {
  const parts = text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/\b(?:e\.g|i\.e|etc|approx|min|mins)\./gi, ' ')
    .replace(/(\d)\.(\d)/g, '$1$2')
    .split(/[.!?]+(?:\s|$)|\n{2,}/)
    .filter((s) => wordsOf(s).length > 0);
  const words = wordsOf(text).length;
  const syllables = parts.reduce((n, s) => n + syllablesIn(s), 0);
  return { words, sentences: Math.max(1, parts.length), syllables };
}

/** The Flesch–Kincaid grade of a text; 0 for a text with no words. */
export function fleschKincaidGrade(text: string): number {
  const s = textStats(text);
  if (s.words === 0) return 0;
  const grade = 0.39 * (s.words / s.sentences) + 11.8 * (s.syllables / s.words) - 15.59;
  return Math.round(grade * 10) / 10;
}
