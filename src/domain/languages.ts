/** The languages Crier's own words are written in: the status page's, and the plan's choice of its default. */
export const pageLanguages = ['en', 'fr', 'de', 'es', 'pt', 'ja', 'ar'] as const;
export type PageLanguage = (typeof pageLanguages)[number];

/** Each language by its own name, as a reader looks for it in a list. */
export const languageNames: Readonly<Record<PageLanguage, string>> = {
  en: 'English',
  fr: 'Français',
  de: 'Deutsch',
  es: 'Español',
  pt: 'Português',
  ja: '日本語',
  ar: 'العربية',
};

/** Each language by its English name, for what lint and `crier plan check` say about it. */
export const englishNames: Readonly<Record<PageLanguage, string>> = {
  en: 'English',
  fr: 'French',
  de: 'German',
  es: 'Spanish',
  pt: 'Portuguese',
  ja: 'Japanese',
  ar: 'Arabic',
};
