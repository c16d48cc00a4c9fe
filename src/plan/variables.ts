/** The variables a template sees, built the same way for drafts, previews and `plan check`. */
import { type IncidentStatus, incidentStatusLabels } from '../domain/incidents.ts';
import type { PageLanguage } from '../domain/languages.ts';
import { messageWords } from '../domain/message-words.ts';
import { formatDateTime, formatTime, joinNames, type TemplateVariables } from '../domain/templates.ts';
import { type Plan, planLanguages } from './schema.ts';

export interface VariableInput {
  plan: Plan | null;
  /** Used when the plan names no page. */
  pageName: string;
  fallbackTimeZone: string;
  incident: { id: string; name: string; severity: string | null; eta: string | null };
  status: IncidentStatus;
  componentNames: readonly string[];
  impact: string | null;
  workaround: string | null;
  nextUpdateAt: string | null;
  incidentUrl: string;
  now: string;
  /** The language the template is written in; the page's by default. Times are written in it. */
  language?: PageLanguage;
}

export function timeZoneOf(plan: Plan | null, fallback: string): string {
  return plan?.page?.time_zone ?? fallback;
}

/** A time today is "14:30 CET"; a time on another day also names the day, in `language` ("sam. 5 déc., 01:30 CET"). */
export function when(at: string, now: string, timeZone: string, language: PageLanguage): string {
  const day = (d: string) => new Intl.DateTimeFormat('en-CA', { timeZone }).format(new Date(d));
  return day(at) === day(now) ? formatTime(at, timeZone, language) : formatDateTime(at, timeZone, language);
}

export function templateVariables(input: VariableInput): TemplateVariables {
  const timeZone = timeZoneOf(input.plan, input.fallbackTimeZone);
  const [pageLanguage = 'en'] = planLanguages(input.plan);
  const language = input.language ?? pageLanguage;
  return {
    components: joinNames(input.componentNames),
    component_list: [...input.componentNames],
    impact: input.impact ?? '',
    status: incidentStatusLabels[input.status].toLowerCase(),
    status_label: messageWords(language).status[input.status],
    eta: input.incident.eta === null ? null : when(input.incident.eta, input.now, timeZone, language),
    next_update_at:
      input.nextUpdateAt === null ? null : when(input.nextUpdateAt, input.now, timeZone, language),
    workaround: input.workaround,
    incident_url: input.incidentUrl,
    incident_name: input.incident.name,
    page_name: input.plan?.page?.name ?? input.pageName,
    severity: input.incident.severity,
  };
}
