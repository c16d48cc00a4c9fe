/** Rendering a scenario's templates for one incident and status: the body and each channel variant. */
import { z } from 'zod';
import { nextDueAfterPublish } from '../../domain/cadence.ts';
import { templateVariants } from '../../domain/channel-limits.ts';
import { CrierError } from '../../domain/errors.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import type { PageLanguage } from '../../domain/languages.ts';
import { nextUpdatePlaceholder, renderTemplate, type TemplateVariables } from '../../domain/templates.ts';
import { cadencePolicy, templateFor } from '../../plan/policy.ts';
import { type Plan, planLanguages, type TemplateSet } from '../../plan/schema.ts';
import { templateVariables, timeZoneOf } from '../../plan/variables.ts';
import type { IncidentRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { incidentUrl } from '../plan/notices.ts';
import type { Translations, Variants } from './rows.ts';

/** What a writer may fill in for a scenario's template. */
export const TemplateVariablesInput = z
  .strictObject({
    impact: z.string().trim().min(1).max(1000),
    workaround: z.string().trim().min(1).max(1000),
  })
  .partial();

export interface RenderInput {
  status: IncidentStatus;
  /** What customers experience; the scenario's `customer_impact` by default. */
  impact?: string | undefined;
  workaround?: string | undefined;
  /** Components this draft adds, beside those already on the incident. */
  componentIds?: readonly string[];
}

export interface Rendered {
  body: string;
  variants: Variants;
  translations: Translations;
  variables: TemplateVariables;
}

export async function renderForIncident(
  tx: Ctx,
  plan: Plan | null,
  incident: IncidentRow,
  input: RenderInput,
): Promise<Rendered> {
  const scenario = plan && incident.scenario ? plan.scenarios[incident.scenario] : undefined;
  if (!plan || !scenario) {
    throw new CrierError(
      'template_not_found',
      incident.scenario
        ? `The plan has no scenario "${incident.scenario}".`
        : 'The incident has no scenario, so there is no template to start from; write the text.',
      { scenario: incident.scenario },
    );
  }
  const generic = templateFor(scenario, input.status, null);
  if (generic === null) {
    throw new CrierError(
      'template_not_found',
      `The scenario "${incident.scenario}" has no template for ${input.status}.`,
      { scenario: incident.scenario, status: input.status },
    );
  }
  const linked = await tx.db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select(['components.id', 'components.name'])
    .where('incident_components.incident_id', '=', incident.id)
    .orderBy('components.position')
    .execute();
  const extra =
    input.componentIds && input.componentIds.length > 0
      ? await tx.db
          .selectFrom('components')
          .select(['id', 'name'])
          .where('id', 'in', [...input.componentIds])
          .execute()
      : [];
  const names = [...new Map([...linked, ...extra].map((c) => [c.id, c.name])).values()];
  const now = tx.clock.now().toISOString();
  const [pageLanguage = 'en', ...others] = planLanguages(plan);
  // Each language's templates see the times (the ETA) written in it.
  const variablesIn = (language: PageLanguage): TemplateVariables => {
    const variables = templateVariables({
      plan,
      pageName: tx.config.page.name,
      fallbackTimeZone: tx.config.page.timeZone,
      incident,
      status: input.status,
      componentNames: names.length > 0 ? names : scenario.components,
      impact: input.impact ?? scenario.customer_impact ?? null,
      workaround: input.workaround ?? scenario.workaround ?? null,
      nextUpdateAt: nextDueAfterPublish(
        cadencePolicy(plan, incident.severity, incident.drill_speed),
        'external',
        input.status,
        now,
      ),
      incidentUrl: incidentUrl(tx, incident.id),
      now,
      language,
    });
    // The time is written when the update is published (next-update.ts): the draft keeps the placeholder.
    if (variables.next_update_at !== null) variables.next_update_at = nextUpdatePlaceholder;
    return variables;
  };
  const variables = variablesIn(pageLanguage);
  const tz = timeZoneOf(plan, tx.config.page.timeZone);
  const render = (source: string, where: string, language: PageLanguage = pageLanguage) => {
    const r = renderTemplate(
      source,
      language === pageLanguage ? variables : variablesIn(language),
      tz,
      language,
    );
    if (!r.ok) {
      throw new CrierError('template_failed', `The template ${where} does not render: ${r.error}`, {
        scenario: incident.scenario,
        status: input.status,
        error: r.error,
      });
    }
    return r.text;
  };
  const variantsOf = (
    set: TemplateSet | undefined,
    where: string,
    language: PageLanguage = pageLanguage,
  ): Variants => {
    const variants: Variants = {};
    for (const v of templateVariants) {
      const text = set !== undefined && typeof set !== 'string' ? set[v] : undefined;
      if (text !== undefined) variants[v] = render(text, `${where}.${v}`, language);
    }
    return variants;
  };
  const body = render(generic, `for ${input.status}`);
  const variants = variantsOf(scenario.templates[input.status], input.status);
  // Each other language the plan declares, where the scenario has its template; the rest fall back to the page's.
  const translations: Translations = {};
  for (const language of others) {
    const text = templateFor(scenario, input.status, null, language);
    if (text === null) continue;
    const where = `translations.${language}.${input.status}`;
    translations[language] = {
      body: render(text, where, language),
      variants: variantsOf(scenario.translations[language]?.[input.status], where, language),
    };
  }
  return { body, variants, translations, variables };
}
