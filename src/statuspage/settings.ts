/** The page's own settings, as the renderers need them. */
import type { Config } from '../config.ts';

export interface PageSettings {
  name: string;
  /** The public base URL, without a trailing slash. */
  url: string;
  logoUrl: string | undefined;
  color: string;
  links: readonly { label: string; url: string }[];
  timeZone: string;
}

export function pageSettings(config: Config): PageSettings {
  return {
    name: config.page.name,
    url: config.publicUrl,
    logoUrl: config.page.logoUrl,
    color: config.page.color,
    links: config.page.links,
    timeZone: config.page.timeZone,
  };
}
