/** The declare and new-draft forms read into their verbs' inputs, alike for acting and previewing. */
import type { PageLanguage } from '../../domain/languages.ts';
import type { DeclareIncidentInput } from '../../services/incidents/declare.ts';
import type { CreateDraftInput } from '../../services/updates/create.ts';
import type { Translations } from '../../services/updates/rows.ts';
import { field, fields } from './page.ts';

/**
 * The form's `translation.LANG` fields as a draft's words in the plan's other
 * languages. A language left blank is left out (its subscribers get the
 * page's words, or a new draft its template); one whose words are unchanged
 * keeps the variants it had (its SMS text from a template).
 */
export function translationsInput(
  body: unknown,
  languages: readonly PageLanguage[],
  had: Translations = {},
): Translations {
  const out: Translations = {};
  for (const language of languages) {
    const text = field(body, `translation.${language}`).trim();
    if (!text) continue;
    const before = had[language];
    out[language] = { body: text, variants: before?.body === text ? before.variants : {} };
  }
  return out;
}

export function declareInput(body: unknown, name = field(body, 'name')): DeclareIncidentInput {
  const status = field(body, 'component_status') || 'partial_outage';
  const text = field(body, 'body').trim();
  return {
    name,
    ...(field(body, 'scenario') && { scenario: field(body, 'scenario') }),
    ...(field(body, 'severity') && { severity: field(body, 'severity') }),
    ...(text && { body: text }),
    components: Object.fromEntries(fields(body, 'component').map((c) => [c, status])) as Record<
      string,
      'partial_outage'
    >,
  };
}

export function draftInput(body: unknown, languages: readonly PageLanguage[] = []): CreateDraftInput {
  const translations = translationsInput(body, languages);
  return {
    audience: field(body, 'audience') || 'public',
    ...(field(body, 'status') && { status: field(body, 'status') as 'investigating' }),
    ...(field(body, 'body').trim() && { body: field(body, 'body').trim() }),
    ...(Object.keys(translations).length > 0 && { translations }),
  };
}
