/**
 * The reader's language from `Accept-Language` (RFC 9110 §12.5.4): quality
 * values, language ranges (`fr-CH` is served French, `*` anything), the
 * plan's language when nothing offered matches. The header is parsed by
 * negotiator (jshttp, Express's own); each decision is kept by the exact
 * header string, so the next reader whose browser sends the same header
 * costs one Map lookup. Browsers send a handful of distinct headers; the
 * cap keeps a client that sends a new one with every request from growing
 * the Map.
 */
import { createRequire } from 'node:module';
import { type PageLanguage, pageLanguages } from './languages.ts';

/** The one call we make of negotiator, declared here rather than through a types package. */
type Negotiator = new (request: {
  headers: Record<string, string>;
}) => { language(offered: readonly string[]): string | undefined };
const Negotiator = createRequire(import.meta.url)('negotiator') as Negotiator;

/** How many distinct headers are remembered; the oldest is forgotten first. */
const REMEMBERED = 1024;

/** A page language a value names (`fr`, or a locale such as `pt-BR`); undefined for any other. */
export function pageLanguageOf(value: unknown): PageLanguage | undefined {
  if (typeof value !== 'string') return undefined;
  const primary = value.split('-')[0]?.toLowerCase();
  return pageLanguages.find((l) => l === primary);
}

export class ReaderLanguages {
  readonly fallback: PageLanguage;
  /** The fallback first, so `*` (any language, equally) picks it. */
  readonly #offered: PageLanguage[];
  readonly #decided = new Map<string, PageLanguage>();
  readonly #remembered: number;

  constructor(fallback: PageLanguage, remembered = REMEMBERED) {
    this.fallback = fallback;
    this.#offered = [fallback, ...pageLanguages.filter((l) => l !== fallback)];
    this.#remembered = remembered;
  }

  /** The language to answer a reader whose browser sent `header` (undefined: no header). */
  choose(header: string | undefined): PageLanguage {
    if (header === undefined || header === '') return this.fallback;
    const known = this.#decided.get(header);
    if (known !== undefined) return known;
    const best = new Negotiator({ headers: { 'accept-language': header } }).language(this.#offered);
    const chosen = this.#offered.find((l) => l === best) ?? this.fallback;
    if (this.#decided.size >= this.#remembered) {
      const oldest = this.#decided.keys().next();
      if (!oldest.done) this.#decided.delete(oldest.value);
    }
    this.#decided.set(header, chosen);
    return chosen;
  }

  /** How many decisions are kept (for tests of the cap). */
  get size(): number {
    return this.#decided.size;
  }
}
