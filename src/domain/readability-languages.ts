/**
 * Reading level in each language Crier writes, by a formula made for it:
 * Flesch–Kincaid (grade) for English, and reading-ease scores fitted to
 * their language for French (Kandel–Moles), German (Amstad) and Spanish
 * (Fernández Huerta); Portuguese, Japanese and Arabic, without one here, by the
 * length of their longest sentence. Syllables are counted by vowel groups
 * with each language's rules (docs/adr/0030-messages-in-languages.md).
 */
import { englishNames, type PageLanguage } from './languages.ts';
import { fleschKincaidGrade, wordsOf } from './readability.ts';

const vowels: Readonly<Record<'fr' | 'de' | 'es', RegExp>> = {
  fr: /[aeiouyàâäéèêëîïôöùûüÿœæ]+/g,
  de: /[aeiouyäöü]+/g,
  es: /[aeiouyáéíóúü]+/g,
};
/** Spanish vowels that stay apart (hiatus) when two meet: a, e, o and a stressed i or u. */
const strong = new Set('aeoáéóíú');

/** Syllables of one word: each vowel group one, with the language's silent endings and hiatus. */
export function syllablesOf(word: string, language: 'fr' | 'de' | 'es'): number {
  let w = word.toLowerCase();
  // French: a final e (es, ent after a consonant in verbs is left: it is often sounded in nouns) is silent.
  if (language === 'fr' && w.length > 3) w = w.replace(/([^aeiouy])es?$/, '$1');
  const groups = w.match(vowels[language]) ?? [];
  let n = 0;
  for (const g of groups) {
    n += 1;
    if (language === 'es')
      for (let i = 1; i < g.length; i++) if (strong.has(g[i - 1] ?? '') && strong.has(g[i] ?? '')) n += 1;
  }
  return Math.max(1, n);
}

function sentencesOf(text: string, language: PageLanguage): string[] {
  // The Arabic question mark (؟) ends a sentence as `?` does.
  const split = language === 'ja' ? /[。！？!?]+|\n{2,}/ : /[.!?؟]+(?:\s|$)|\n{2,}/;
  return text
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/(\d)[.,](\d)/g, '$1$2')
    .split(split)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** A reading-ease score (higher is easier, about 0–100) by the language's formula. */
export function readingEase(text: string, language: 'fr' | 'de' | 'es'): number {
  const words = wordsOf(text);
  if (words.length === 0) return 100;
  const sentences = Math.max(1, sentencesOf(text, language).length);
  const syllables = words.reduce((n, w) => n + syllablesOf(w, language), 0);
  const perSentence = words.length / sentences;
  const perWord = syllables / words.length;
  const score =
    language === 'fr'
      ? 207 - 1.015 * perSentence - 73.6 * perWord
      : language === 'de'
        ? 180 - perSentence - 58.5 * perWord
        : 206.84 - 0.6 * (100 * perWord) - 1.02 * (100 * (sentences / words.length));
  return Math.round(score * 10) / 10;
}

/**
 * The lowest reading ease that matches a Flesch–Kincaid grade, by Flesch's own table (90 for
 * grade 5, ten points a grade: 50 for grade 9), so the plan's one `max_grade` holds in every language.
 */
export function minEaseFor(maxGrade: number): number {
  return Math.max(0, Math.min(100, 100 - 10 * (maxGrade - 4)));
}

/** The longest sentence a language judged by length may have: words, or characters in Japanese. */
function maxSentenceLength(language: 'pt' | 'ja' | 'ar', maxGrade: number): number {
  return language === 'ja' ? 10 * maxGrade - 10 : 2 * maxGrade + 7;
}

/** Why `text` reads too hard in `language` for the plan's `maxGrade`; null when it does not. */
export function readingLevelProblem(text: string, language: PageLanguage, maxGrade: number): string | null {
  const name = englishNames[language];
  switch (language) {
    case 'en': {
      const grade = fleschKincaidGrade(text);
      return grade > maxGrade
        ? `The reading level is grade ${grade} (Flesch–Kincaid), above the plan's limit of ${maxGrade}. Use shorter sentences and plainer words.`
        : null;
    }
    case 'fr':
    case 'de':
    case 'es': {
      const ease = readingEase(text, language);
      const min = minEaseFor(maxGrade);
      const formula = { fr: 'Kandel–Moles', de: 'Amstad', es: 'Fernández Huerta' }[language];
      return ease < min
        ? `The ${name} reading ease is ${ease} (${formula}), below ${min}, what the plan's grade ${maxGrade} asks. Use shorter sentences and plainer words.`
        : null;
    }
    case 'pt':
    case 'ja':
    case 'ar': {
      const max = maxSentenceLength(language, maxGrade);
      const unit = language === 'ja' ? 'characters' : 'words';
      const longest = Math.max(
        0,
        ...sentencesOf(text, language).map((s) =>
          // Arabic words are what spaces separate (wordsOf reads Latin letters only).
          language === 'ja'
            ? [...s].length
            : language === 'ar'
              ? s.split(/\s+/).filter(Boolean).length
              : wordsOf(s).length,
        ),
      );
      return longest > max
        ? `${/^[AEIOU]/.test(name) ? 'An' : 'A'} ${name} sentence has ${longest} ${unit}, more than ${max} for the plan's grade ${maxGrade}. Split it.`
        : null;
    }
  }
}
