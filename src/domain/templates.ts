/**
 * Message templates: LiquidJS, sandboxed. Templates come from the plan, so
 * they are trusted to say things but not to reach anything: no file system
 * (an empty in-memory template map, so `include` and `render` find nothing),
 * own properties only, unknown variables and filters are errors, and parse
 * and render time and memory are bounded.
 */
import { Liquid } from 'liquidjs';
import type { PageLanguage } from './languages.ts';

export interface TemplateVariables {
  /** Affected components, as a phrase: "API and Dashboard". */
  components: string;
  component_list: string[];
  /** What customers experience, in a sentence. */
  impact: string;
  /** The incident status, as a word: "investigating". The same in every language, for conditions. */
  status: string;
  /** The status as the template's language names it, for readers: "Investigating", "Analyse en cours". */
  status_label: string;
  /** Expected resolution, formatted in the page's time zone and the message's language, or null when unknown. */
  eta: string | null;
  /** When the next update is due, formatted in the page's time zone and the message's language, or null when none is planned. */
  next_update_at: string | null;
  workaround: string | null;
  incident_url: string;
  incident_name: string;
  page_name: string;
  severity: string | null;
}

/**
 * Where a draft says when the next update comes. A template's
 * `{{ next_update_at }}` stays in the draft as written, and publication fills
 * it with the deadline that publication sets, so every channel, the page and
 * the support brief name one instant, whenever approval came.
 */
export const nextUpdatePlaceholder = '{{ next_update_at }}';

export function hasNextUpdatePlaceholder(text: string): boolean {
  return /\{\{\s*next_update_at\s*\}\}/.test(text);
}

/** The text with every `{{ next_update_at }}` written as `value`. */
export function fillNextUpdate(text: string, value: string): string {
  return text.replace(/\{\{\s*next_update_at\s*\}\}/g, value);
}

interface RenderOk {
  ok: true;
  text: string;
}
interface RenderFailed {
  ok: false;
  error: string;
}
export type RenderResult = RenderOk | RenderFailed;

const engines = new Map<string, Liquid>();

function zoneName(date: Date, timeZone: string): string {
  for (const locale of ['en-GB', 'en-US']) {
    const part = new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (part && !part.startsWith('GMT')) return part;
  }
  return (
    new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' })
      .formatToParts(date)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone
  );
}

/**
 * The locale each language writes a day in: its own names and order of day
 * and month ("Sat 5 Dec", "sam. 5 déc.", "12月5日(土)"). English is the
 * British one, whose day comes before its month as in the other languages;
 * Portuguese the generic one, which names the month ("sex., 16 de jan.")
 * where pt-PT writes "sexta, 16/01".
 */
const dateLocales: Readonly<Record<PageLanguage, string>> = {
  en: 'en-GB',
  fr: 'fr',
  de: 'de',
  es: 'es',
  pt: 'pt',
  ja: 'ja',
  ar: 'ar',
};

/**
 * "14:30 CET": a time of day in the page's time zone, on the 24-hour clock
 * in every language. The zone keeps its short name ("CET", "UTC"), the one
 * the page's time zone is known by, whatever the language.
 */
export function formatTime(at: string | Date, timeZone: string, language: PageLanguage = 'en'): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  const hm = new Intl.DateTimeFormat(dateLocales[language], {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${hm} ${zoneName(date, timeZone)}`;
}

/** "Fri 16 Jan, 14:30 CET" ("ven. 16 janv., 14:30 CET" in French): a day and time in the page's time zone. */
export function formatDateTime(at: string | Date, timeZone: string, language: PageLanguage = 'en'): string {
  const date = typeof at === 'string' ? new Date(at) : at;
  const dayAndTime = new Intl.DateTimeFormat(dateLocales[language], {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
  return `${dayAndTime} ${zoneName(date, timeZone)}`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const isoInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

function engineFor(timeZone: string, language: PageLanguage): Liquid {
  const key = `${timeZone} ${language}`;
  const cached = engines.get(key);
  if (cached) return cached;
  const engine = new Liquid({
    templates: {},
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    lenientIf: true,
    jsTruthy: true,
    parseLimit: 100_000,
    renderLimit: 1_000,
    memoryLimit: 10_000_000,
  });
  // Times are already formatted in the page's time zone and the template's language; the filters also accept ISO instants.
  engine.registerFilter('time', (v: unknown) =>
    typeof v === 'string' && isoInstant.test(v) ? formatTime(v, timeZone, language) : v,
  );
  engine.registerFilter('datetime', (v: unknown) =>
    typeof v === 'string' && isoInstant.test(v) ? formatDateTime(v, timeZone, language) : v,
  );
  engine.registerFilter('sentence', (v: unknown) => {
    const s = typeof v === 'string' ? v.trim() : '';
    return s === '' || /[.!?]$/.test(s) ? s : `${s}.`;
  });
  engines.set(key, engine);
  return engine;
}

/** Tidies rendered text: no trailing spaces, at most one blank line, no leading or trailing blank lines. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Renders a template written in `language`: its `time` and `datetime` filters write days in it. */
export function renderTemplate(
  source: string,
  vars: TemplateVariables,
  timeZone = 'UTC',
  language: PageLanguage = 'en',
): RenderResult {
  try {
    const engine = engineFor(timeZone, language);
    const text = engine.parseAndRenderSync(source, { ...vars });
    return { ok: true, text: tidy(String(text)) };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, error: message ?? 'the template could not be rendered' };
  }
}

/** "API", "API and Dashboard", "API, Dashboard and Email". */
export function joinNames(names: readonly string[]): string {
  const [first, ...others] = names;
  if (first === undefined) return 'our service';
  if (others.length === 0) return first;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
