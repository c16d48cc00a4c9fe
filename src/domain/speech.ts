/**
 * How long a text takes to say on a phone call, estimated before anyone
 * dials: words at a speaking rate per language, and Japanese by characters
 * (it is written without spaces between words). The rates are round
 * figures for a clear, unhurried voice, such as a text-to-speech voice at
 * its default speed, not a measure of any one voice: lint needs to tell a
 * message that fits in one listening from one that does not (docs/plan.md,
 * Voice).
 */
import type { PageLanguage } from './languages.ts';

interface Rate {
  /** Words (or, for `characters`, characters) said in a minute. */
  perMinute: number;
  unit: 'words' | 'characters';
}

/**
 * 150 words a minute is the pace usually given for narration and
 * announcements in English, and the French, Spanish and Portuguese
 * versions of a message have about as many words. German joins words into
 * compounds, so the same sentence has fewer, longer ones: 130. Arabic
 * writes articles and many prepositions into the word: 120. Japanese
 * broadcast announcers read about 300 characters a minute.
 */
const rates: Readonly<Record<PageLanguage, Rate>> = {
  en: { perMinute: 150, unit: 'words' },
  fr: { perMinute: 150, unit: 'words' },
  es: { perMinute: 150, unit: 'words' },
  pt: { perMinute: 150, unit: 'words' },
  de: { perMinute: 130, unit: 'words' },
  ar: { perMinute: 120, unit: 'words' },
  ja: { perMinute: 300, unit: 'characters' },
};

/** Han, kana and the prolonged-sound mark: each said as about one character's time. */
const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}ー]/gu;
/** A word in any script: letters or digits, joined by an apostrophe or hyphen. */
const word = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

function isPageLanguage(language: string): language is PageLanguage {
  return language in rates;
}

/** Seconds it takes to say `text` once in `language` (the page's words when unknown), rounded up. */
export function speakingSeconds(text: string, language = 'en'): number {
  const rate = rates[isPageLanguage(language) ? language : 'en'];
  const characters = text.match(cjk)?.length ?? 0;
  // Latin words in a Japanese text (a product name) take a word's time, said at the English pace.
  const words = text.replace(cjk, ' ').match(word)?.length ?? 0;
  const minutes =
    rate.unit === 'characters'
      ? characters / rate.perMinute + words / rates.en.perMinute
      : (words + characters) / rate.perMinute;
  return Math.ceil(minutes * 60);
}
