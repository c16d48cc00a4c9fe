/**
 * The one "next update by" of an update: the deadline its publication sets
 * for its audience (the severity's cadence from the publish instant), and
 * its words with `{{ next_update_at }}` written as that instant in the
 * page's time zone and in each text's language ("Sat 5 Dec, 01:30 CET",
 * "sam. 5 déc., 01:30 CET"). Before publication, lint, the preview and the approval
 * request show the time it would be if published now.
 */
import { nextDueAfterPublish } from '../../domain/cadence.ts';
import { CrierError } from '../../domain/errors.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import type { PageLanguage } from '../../domain/languages.ts';
import { languageOf } from '../../domain/message-words.ts';
import { fillNextUpdate, hasNextUpdatePlaceholder } from '../../domain/templates.ts';
import { cadencePolicy } from '../../plan/policy.ts';
import { type Plan, planLanguages } from '../../plan/schema.ts';
import { timeZoneOf, when } from '../../plan/variables.ts';
import { translationsOf } from '../../store/json.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { type Variants, variantsOf } from './rows.ts';

/** When the next update for `audience` falls due if one is published at `at`; null when none will be. */
function deadlineAfter(
  plan: Plan | null,
  incident: Pick<IncidentRow, 'severity' | 'drill_speed'>,
  audience: string,
  status: IncidentStatus,
  at: string,
): string | null {
  if (plan === null) return null;
  const policy = cadencePolicy(plan, incident.severity, incident.drill_speed);
  return nextDueAfterPublish(policy, audience === 'internal' ? 'internal' : 'external', status, at);
}

/** The language a text is in: a translation's, the page's for the update's own words. */
export function languageFor(plan: Plan | null, translation?: string): PageLanguage {
  const [pageLanguage = 'en'] = planLanguages(plan);
  return languageOf(translation) ?? pageLanguage;
}

/** How the instant reads in messages in `language`: "11:30 CET", with the day when it is not today. */
export function nextUpdateText(
  ctx: Pick<Ctx, 'config'>,
  plan: Plan | null,
  at: string,
  now: string,
  language: PageLanguage,
): string {
  return when(at, now, timeZoneOf(plan, ctx.config.page.timeZone), language);
}

/** Body and variants with the placeholder filled (left as written when there is no deadline). */
function filledTexts(
  body: string,
  variants: Variants,
  value: string | null,
): { body: string; variants: Variants } {
  if (value === null) return { body, variants };
  const filled: Variants = Object.fromEntries(
    Object.entries(variants).map(([k, v]) => [k, fillNextUpdate(v, value)]),
  );
  return { body: fillNextUpdate(body, value), variants: filled };
}

/** What lint, the preview and the approval request read: the words (in `language`) as if published now. */
export function asIfPublishedNow(
  ctx: Pick<Ctx, 'config' | 'clock'>,
  plan: Plan | null,
  incident: Pick<IncidentRow, 'severity' | 'drill_speed'>,
  status: IncidentStatus,
  audience: string,
  body: string,
  variants: Variants,
  language: PageLanguage = languageFor(plan),
): { body: string; variants: Variants } {
  const now = ctx.clock.now().toISOString();
  const due = deadlineAfter(plan, incident, audience, status, now);
  return filledTexts(body, variants, due === null ? null : nextUpdateText(ctx, plan, due, now, language));
}

/**
 * At publication: the deadline it sets, and the row's words with that
 * instant written in. Words that promise a time when no update will be due
 * (the severity has no cadence, or the update resolves) are refused.
 */
export function fillAtPublication(
  tx: Ctx,
  plan: Plan | null,
  incident: IncidentRow,
  row: IncidentUpdateRow,
  now: string,
): Pick<IncidentUpdateRow, 'body' | 'rendered' | 'next_update_at' | 'translations'> {
  const status = row.status;
  const due = deadlineAfter(plan, incident, row.audience, status, now);
  const variants = variantsOf(row);
  const translations = translationsOf(row);
  const texts = [row.body, ...Object.values(variants)];
  for (const t of Object.values(translations)) texts.push(t.body, ...Object.values(t.variants));
  const promises = texts.some((t) => hasNextUpdatePlaceholder(t ?? ''));
  if (due === null) {
    if (promises) {
      throw new CrierError(
        'validation_failed',
        `These words promise a next update at {{ next_update_at }}, but no ${row.audience} update will be due after this one (${status === 'resolved' ? 'it resolves the incident' : `${incident.severity ?? 'this incident'} has no cadence`}): write the time, or drop the promise.`,
        [{ path: 'body', message: 'names {{ next_update_at }} with no deadline to fill it' }],
      );
    }
    return { body: row.body, rendered: row.rendered, next_update_at: null, translations: row.translations };
  }
  const filled = filledTexts(row.body, variants, nextUpdateText(tx, plan, due, now, languageFor(plan)));
  // Every language says the same instant, each in its own words for the day.
  const filledTranslations = Object.fromEntries(
    Object.entries(translations).map(([language, t]) => [
      language,
      filledTexts(t.body, t.variants, nextUpdateText(tx, plan, due, now, languageFor(plan, language))),
    ]),
  );
  return {
    body: filled.body,
    rendered: row.rendered === null ? null : JSON.stringify(filled.variants),
    next_update_at: due,
    translations: row.translations === null ? null : JSON.stringify(filledTranslations),
  };
}
