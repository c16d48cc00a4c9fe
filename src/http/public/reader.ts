/**
 * The language a page outside the render cache answers in (subscribe,
 * manage, a private page's refusals): `?lang=`, else a language the caller
 * knows for this reader (a subscriber's own), else `Accept-Language`, else
 * the plan's `page.language` (docs/adr/0036-reader-language.md). Each
 * distinct header is decided once and kept, as for the page's own paths.
 */
import type { PageLanguage } from '../../domain/languages.ts';
import { pageLanguageOf, ReaderLanguages } from '../../domain/reader-language.ts';
import { currentPlan } from '../../services/plan/current.ts';
import type { Db } from '../../store/db.ts';

export type ReaderLanguage = (
  stated: unknown,
  acceptLanguage: unknown,
  known?: string | null,
) => Promise<PageLanguage>;

export function readerLanguage(db: Db): ReaderLanguage {
  let readers = new ReaderLanguages('en');
  return async (stated, acceptLanguage, known = null) => {
    const planLanguage = (await currentPlan(db).catch(() => null))?.page?.language ?? 'en';
    if (readers.fallback !== planLanguage) readers = new ReaderLanguages(planLanguage);
    return (
      pageLanguageOf(stated) ??
      pageLanguageOf(known) ??
      readers.choose(typeof acceptLanguage === 'string' ? acceptLanguage : undefined)
    );
  };
}
