/** The page's own settings, as the renderers need them. */
import type { Config } from '../config.ts';
import type { PageLanguage } from '../domain/languages.ts';

export interface PageSettings {
  name: string;
  /** The public base URL, without a trailing slash. */
  url: string;
  logoUrl: string | undefined;
  color: string;
  links: readonly { label: string; url: string }[];
  timeZone: string;
  /** The language of the page's own address (the plan's `page.language`); the others are below `/LANG`. */
  language: PageLanguage;
}

export function pageSettings(config: Config): PageSettings {
  return {
    name: config.page.name,
    url: config.publicUrl,
    logoUrl: config.page.logoUrl,
    color: config.page.color,
    links: config.page.links,
    timeZone: config.page.timeZone,
    language: 'en',
  };
}
