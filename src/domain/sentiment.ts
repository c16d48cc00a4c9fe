/**
 * The sentiment of a short post, in English or French: a score in [-1, 1]
 * and a label. NLP.js (@nlpjs/sentiment with @nlpjs/lang-en and
 * @nlpjs/lang-fr) tokenizes and stems the text and gives each stem its
 * polarity from its dictionary (SentiCon for English, Pattern for French).
 * Around it, what posts about an outage need (docs/sentiment.md, with the
 * agreement this reaches on a labelled corpus):
 *
 * - a domain lexicon (sentiment-lexicon.ts): status-report words carry no
 *   opinion, failure words are negative, complaint and praise words weighed;
 * - negation turns the next three words only, not the rest of the post as
 *   the library does;
 * - praise in a post about a failure, with no word of recovery, is irony or
 *   politeness ("perfect timing, thanks a lot"): it does not count;
 * - a question says half as much as a statement.
 *
 * Pure: no clock, no network; the dictionaries ship in the packages.
 */
import type { Container } from '@nlpjs/core';
import type { SentimentAnalyzer } from '@nlpjs/sentiment';
import { requireOnFirstUse } from './first-use.ts';
import { type Lexicon, lexicons } from './sentiment-lexicon.ts';

// NLP.js and its dictionaries are loaded with the first post scored: a process that reads no
// mentions (every worker of a fan-out) does not carry them.
const nlpCore = requireOnFirstUse<typeof import('@nlpjs/core')>('@nlpjs/core');
const nlpEnglish = requireOnFirstUse<typeof import('@nlpjs/lang-en')>('@nlpjs/lang-en');
const nlpFrench = requireOnFirstUse<typeof import('@nlpjs/lang-fr')>('@nlpjs/lang-fr');
const nlpSentiment = requireOnFirstUse<typeof import('@nlpjs/sentiment')>('@nlpjs/sentiment');

export const sentimentLabels = ['negative', 'neutral', 'positive'] as const;
export type SentimentLabel = (typeof sentimentLabels)[number];

export const sentimentLanguages = ['en', 'fr'] as const;
export type SentimentLanguage = (typeof sentimentLanguages)[number];

const isSentimentLanguage = (language: string): language is SentimentLanguage =>
  (sentimentLanguages as readonly string[]).includes(language);

export interface Sentiment {
  /** From -1 (all negative) to 1 (all positive); 0 when nothing in the post carries an opinion. */
  score: number;
  label: SentimentLabel;
}

/** A score at least this far from 0 is an opinion; closer, the post is neutral. */
const opinionAt = 0.5;
/** How many words after a negation it turns. */
const negationReach = 3;

interface Dictionary {
  /** Each stem's polarity. */
  weights: Map<string, number>;
  factual: Set<string>;
  failing: Set<string>;
  recovered: Set<string>;
  negations: Set<string>;
}

interface LanguageDictionary {
  senticon?: Record<string, number>;
  pattern?: Record<string, number>;
  negations: { words: string[] };
}

let analyzer: { nlp: SentimentAnalyzer; dictionaries: Map<SentimentLanguage, Dictionary> } | undefined;

/** The library's dictionary with the domain lexicon over it, its words stemmed the library's way. */
function dictionaryOf(nlp: SentimentAnalyzer, container: Container, language: SentimentLanguage): Dictionary {
  const lexicon: Lexicon = lexicons[language];
  const own = container.get(`sentiment-${language}`) as LanguageDictionary;
  const stem = (word: string) => nlp.prepare(language, word, undefined, true).join(' ');
  const stems = (words: readonly string[]) => new Set(words.map(stem));
  const weights = new Map(Object.entries(own.senticon ?? own.pattern ?? {}));
  for (const [word, weight] of [...Object.entries(lexicon.failing), ...Object.entries(lexicon.opinion)])
    weights.set(stem(word), weight);
  const factual = stems(lexicon.factual);
  for (const s of factual) weights.delete(s);
  return {
    weights,
    factual,
    failing: stems(Object.keys(lexicon.failing)),
    recovered: stems(lexicon.recovered),
    negations: new Set([...own.negations.words, ...stems(lexicon.negations), ...lexicon.negations]),
  };
}

function loaded() {
  if (analyzer) return analyzer;
  const { Container } = nlpCore();
  const { LangEn } = nlpEnglish();
  const { LangFr } = nlpFrench();
  const { SentimentAnalyzer } = nlpSentiment();
  const container = new Container();
  container.use(LangEn);
  container.use(LangFr);
  const nlp = new SentimentAnalyzer({ container });
  const dictionaries = new Map(
    sentimentLanguages.map((language) => [language, dictionaryOf(nlp, container, language)] as const),
  );
  analyzer = { nlp, dictionaries };
  return analyzer;
}

export function labelOf(score: number): SentimentLabel {
  if (score <= -opinionAt) return 'negative';
  if (score >= opinionAt) return 'positive';
  return 'neutral';
}

/** A post's sentiment. A language other than English or French is not read: neutral, 0. */
export function scoreSentiment(text: string, language: string): Sentiment {
  if (!isSentimentLanguage(language)) return { score: 0, label: 'neutral' };
  const { nlp, dictionaries } = loaded();
  const dictionary = dictionaries.get(language);
  if (!dictionary) return { score: 0, label: 'neutral' };
  const tokens = nlp.prepare(language, text, undefined, true);
  // Two-word entries ("give up") are looked up as pairs as well as single stems.
  const words = tokens.flatMap((t, i) => (i + 1 < tokens.length ? [t, `${t} ${tokens[i + 1]}`] : [t]));
  let negatedUntil = -1;
  let failing = false;
  let recovered = false;
  const polarities: number[] = [];
  words.forEach((word, i) => {
    const position = Math.floor((i + 1) / 2);
    if (dictionary.negations.has(word)) {
      negatedUntil = position + negationReach;
      return;
    }
    failing ||= dictionary.failing.has(word);
    recovered ||= dictionary.recovered.has(word);
    const weight = dictionary.weights.get(word);
    if (weight === undefined || weight === 0) return;
    polarities.push(position <= negatedUntil ? -weight : weight);
  });
  const counted = failing && !recovered ? polarities.filter((p) => p < 0) : polarities;
  const raw = counted.reduce((sum, p) => sum + p, 0) * (text.includes('?') ? 0.5 : 1);
  const score = Math.round(Math.tanh(raw) * 1000) / 1000;
  return { score, label: labelOf(score) };
}
