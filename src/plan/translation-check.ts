/**
 * A scenario's templates in the plan's other languages (`translations`):
 * each language must be one the page declares, each status the page's
 * language has a template for must have one in every other language (else
 * its subscribers would get the page's words), each reads at the plan's
 * level by its language's formula (src/domain/readability-languages.ts), and
 * a voice text can be said in the plan's time at its language's pace.
 */
import { type IncidentStatus, incidentStatuses } from '../domain/incidents.ts';
import { englishNames as languageNames, type PageLanguage } from '../domain/languages.ts';
import { readingLevelProblem } from '../domain/readability-languages.ts';
import { speakingSeconds } from '../domain/speech.ts';
import type { PlanProblem } from './check.ts';
import { limitsOf } from './policy.ts';
import { type Plan, planLanguages, type ScenarioSpec } from './schema.ts';

/** The template rendered with sample values: its text, or why it does not render. */
export type RenderSample = (
  source: string,
  status: IncidentStatus,
  language: PageLanguage,
) => { ok: true; text: string } | { ok: false; error: string };

export function checkTranslations(
  plan: Plan,
  name: string,
  scenario: ScenarioSpec,
  render: RenderSample,
): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const [pageLanguage = 'en', ...others] = planLanguages(plan);
  for (const language of Object.keys(scenario.translations) as PageLanguage[]) {
    if (others.includes(language)) continue;
    problems.push({
      path: `scenarios.${name}.translations.${language}`,
      message: `${languageNames[language]} is not among the plan's other languages: add "${language}" to page.languages, or remove these templates`,
    });
  }
  const maxGrade = plan.lint.max_grade;
  const maxSeconds = limitsOf(plan).voice_seconds;
  for (const language of others) {
    const own = scenario.translations[language] ?? {};
    for (const status of incidentStatuses) {
      const path = `scenarios.${name}.translations.${language}.${status}`;
      const set = own[status];
      if (set === undefined) {
        if (scenario.templates[status] !== undefined) {
          problems.push({
            path,
            message: `no ${languageNames[language]} template for ${status}: subscribers who chose ${languageNames[language]} would get the ${languageNames[pageLanguage]} words`,
          });
        }
        continue;
      }
      const texts =
        typeof set === 'string' ? [{ at: path, source: set }] : [{ at: `${path}.text`, source: set.text }];
      if (typeof set !== 'string') {
        for (const [variant, source] of Object.entries(set)) {
          if (variant !== 'text' && variant !== 'email_subject' && typeof source === 'string')
            texts.push({ at: `${path}.${variant}`, source });
        }
      }
      for (const t of texts) {
        const rendered = render(t.source, status, language);
        if (!rendered.ok) {
          problems.push({ path: t.at, message: `does not render: ${rendered.error}` });
          continue;
        }
        const hard = readingLevelProblem(rendered.text, language, maxGrade);
        if (hard !== null) problems.push({ path: t.at, message: `reading_level: ${hard}` });
        const seconds = t.at.endsWith('.voice') ? speakingSeconds(rendered.text, language) : 0;
        if (seconds > maxSeconds) {
          problems.push({
            path: t.at,
            message: `too_long: the call takes about ${seconds} seconds to say in ${languageNames[language]}; the limit is ${maxSeconds} seconds`,
          });
        }
      }
    }
  }
  return problems;
}
