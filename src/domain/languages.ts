/** The languages Crier's own words are written in: the status page's, and the plan's choice of its default. */
export const pageLanguages = ['en', 'fr', 'de', 'es', 'pt', 'ja'] as const;
export type PageLanguage = (typeof pageLanguages)[number];
