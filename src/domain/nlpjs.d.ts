/**
 * The few parts of NLP.js (@nlpjs/*, no types of its own) the sentiment
 * scorer uses: a container that language packages register into, the
 * analyzer that tokenizes and stems a text, and each language's dictionary.
 */
declare module '@nlpjs/core' {
  export class Container {
    use(plugin: unknown): void;
    get(name: string): unknown;
  }
}
declare module '@nlpjs/sentiment' {
  import type { Container } from '@nlpjs/core';
  export class SentimentAnalyzer {
    constructor(settings: { container: Container });
    /** The text's tokens, stemmed when asked (the dictionaries of en and fr are stems). */
    prepare(locale: string, text: string, settings: undefined, stemmed: boolean): string[];
    /** The library's own verdict: the sum of its dictionary's polarities, its sign the vote. */
    process(input: { locale: string; text: string }): Promise<{ sentiment: { vote: string } }>;
  }
}
declare module '@nlpjs/lang-en' {
  export const LangEn: unknown;
}
declare module '@nlpjs/lang-fr' {
  export const LangFr: unknown;
}
