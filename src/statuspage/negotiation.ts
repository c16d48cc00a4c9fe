/**
 * The page's own paths (`/`, `/history`, `/incidents/ID`) answered in the
 * reader's language: `?lang=xx` when the address states one, else the
 * browser's `Accept-Language`, else the plan's language. Each language's
 * bytes are the ones rendered at `/LANG/…` (or at the page's own paths for
 * the plan's language); only the headers differ, so that a shared cache
 * keeps one copy per `Accept-Language` (docs/adr/0036-reader-language.md).
 * Feeds, `/api/v2`, badges and assets do not depend on language and are
 * answered as before.
 */
import { type PageLanguage, pageLanguages } from '../domain/languages.ts';
import { pageLanguageOf, ReaderLanguages } from '../domain/reader-language.ts';
import { type Entry, varyingByLanguage } from './entries.ts';
import { languageBase } from './page.ts';
import type { Surface } from './surface.ts';

interface Forms {
  /** Asked for by `?lang=`: the answer does not depend on the header. */
  stated: Entry;
  /** Chosen from `Accept-Language`: the answer says `Vary: Accept-Language`. */
  negotiated: Entry;
}

export class LanguageChoice {
  readonly #pages: ReadonlyMap<string, Readonly<Record<PageLanguage, Forms>>>;
  readonly #readers: ReaderLanguages;

  private constructor(pages: Map<string, Record<PageLanguage, Forms>>, readers: ReaderLanguages) {
    this.#pages = pages;
    this.#readers = readers;
  }

  static readonly none = new LanguageChoice(new Map(), new ReaderLanguages('en'));

  /** From a render's surface and entries; the decisions already taken stay while the plan's language does. */
  static of(surface: Surface, entries: ReadonlyMap<string, Entry>, previous: LanguageChoice): LanguageChoice {
    const readers =
      previous.#readers.fallback === surface.language
        ? previous.#readers
        : new ReaderLanguages(surface.language);
    const pages = new Map<string, Record<PageLanguage, Forms>>();
    for (const path of surface.pages) {
      const own = entries.get(path);
      if (!own) continue;
      const forms = {} as Record<PageLanguage, Forms>;
      for (const language of pageLanguages) {
        const stated =
          language === surface.language
            ? own
            : entries.get(`${languageBase(language)}${path === '/' ? '' : path}`);
        if (stated) forms[language] = { stated, negotiated: varyingByLanguage(stated) };
      }
      if (pageLanguages.every((l) => forms[l] !== undefined)) pages.set(path, forms);
    }
    return new LanguageChoice(pages, readers);
  }

  /**
   * The entry that answers `path` for this reader, or undefined when the
   * path is not one of the page's own (its answer is the same in every
   * language). `query` is what follows `?` in the address, if anything.
   */
  pick(path: string, query: string | undefined, acceptLanguage: string | undefined): Entry | undefined {
    const forms = this.#pages.get(path);
    if (!forms) return undefined;
    if (query?.includes('lang=')) {
      const stated = pageLanguageOf(new URLSearchParams(query).get('lang'));
      if (stated) return forms[stated].stated;
    }
    return forms[this.#readers.choose(acceptLanguage)].negotiated;
  }
}
