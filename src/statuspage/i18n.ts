/**
 * The status page's languages. Its own words are ICU messages
 * (intl-messageformat, FormatJS: plurals and selects in each language's
 * rules; docs/adr/0025b-page-languages.md), one catalog per language in
 * messages/; dates are Intl.DateTimeFormat in the page's time zone and the
 * page's language (format.ts). Every page is rendered in each language on
 * change, so a reader's choice costs nothing at request time.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import type { PageLanguage } from '../domain/languages.ts';
import { ar } from './messages/ar.ts';
import { de } from './messages/de.ts';
import { type Catalog, en, type MessageKey } from './messages/en.ts';
import { es } from './messages/es.ts';
import { fr } from './messages/fr.ts';
import { ja } from './messages/ja.ts';
import { pt } from './messages/pt.ts';

const catalogs: Record<PageLanguage, Catalog> = { en, fr, de, es, pt, ja, ar };

/** The locale dates are written in: British English keeps the day before the month, as the page always has. */
export const dateLocales: Record<PageLanguage, string> = {
  en: 'en-GB',
  fr: 'fr-FR',
  de: 'de-DE',
  es: 'es-ES',
  pt: 'pt-BR',
  ja: 'ja-JP',
  ar: 'ar',
};

/** The languages written right to left: the page says so (`<html dir>`), and its logical CSS follows. */
export function directionOf(language: PageLanguage): 'ltr' | 'rtl' {
  return language === 'ar' ? 'rtl' : 'ltr';
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

const compiled = new Map<string, IntlMessageFormat>();

/**
 * The page's words in a language. Values are inserted as given (the page
 * escapes them first); the catalogs' own markup (`<strong>`, a link) is
 * ours, so tags are left as text rather than parsed as rich text.
 */
export function translator(language: PageLanguage): Translate {
  const catalog = catalogs[language];
  return (key, values) => {
    const id = `${language}\0${key}`;
    let format = compiled.get(id);
    if (!format) {
      format = new IntlMessageFormat(catalog[key], language, undefined, { ignoreTag: true });
      compiled.set(id, format);
    }
    const out = format.format(values);
    return typeof out === 'string' ? out : String(out);
  };
}
