/**
 * The JSON columns: each one's schema, and the one place their text is read.
 * A column is parsed with Zod where it leaves the store, so one that does not
 * hold what its type says fails here, naming the column, instead of somewhere
 * downstream with a value of the wrong shape.
 */
import { z } from 'zod';
import { componentStatuses, impacts } from '../domain/components.ts';
import { type LintProblem, lintCodes } from '../domain/lint.ts';

/** Parses a JSON column's text with its schema; throws naming the column when it does not fit. */
export function readJson<S extends z.ZodType>(schema: S, text: string, column: string): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${column} holds text that is not JSON`, { cause: err });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${column} does not hold what its schema says: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** One component change an incident update made (Statuspage's `affected_components`). */
export const AffectedComponent = z
  .object({
    code: z.string(),
    name: z.string(),
    old_status: z.enum(componentStatuses),
    new_status: z.enum(componentStatuses),
  })
  .meta({ id: 'AffectedComponent' });
export type AffectedComponent = z.infer<typeof AffectedComponent>;
const AffectedComponents = z.array(AffectedComponent);

/** `incident_updates.affected_components`. */
export function affectedComponentsOf(row: { readonly affected_components: string }): AffectedComponent[] {
  return readJson(AffectedComponents, row.affected_components, 'incident_updates.affected_components');
}

const ComponentIds = z.array(z.string());

/** `subscribers.component_ids`: the components a subscriber follows (the fan-out reads `subscriber_components`). */
export function componentIdsOf(row: { readonly component_ids: string }): string[] {
  return readJson(ComponentIds, row.component_ids, 'subscribers.component_ids');
}

/** `incident_updates.rendered`: the update's own text per template variant, beside its body. */
const Rendered = z
  .object({
    sms: z.string(),
    voice: z.string(),
    chat: z.string(),
    social: z.string(),
    email_subject: z.string(),
  })
  .partial();

export function renderedOf(row: { readonly rendered: string | null }): z.output<typeof Rendered> {
  return row.rendered === null ? {} : readJson(Rendered, row.rendered, 'incident_updates.rendered');
}

/** `incident_updates.translations`: the update's words in each other language, keyed by language. */
const Translations = z.record(z.string(), z.object({ body: z.string(), variants: Rendered.default({}) }));
export type StoredTranslations = z.output<typeof Translations>;

export function translationsOf(row: { readonly translations: string | null }): StoredTranslations {
  return row.translations === null
    ? {}
    : readJson(Translations, row.translations, 'incident_updates.translations');
}

/** `incident_updates.pending`: what an update changes when it is published; kept on a draft until then. */
const PendingChanges = z.object({
  components: z.record(z.string(), z.enum(componentStatuses)),
  component_ids: z.array(z.string()),
  /** Absent: keep the incident's override. */
  impact_override: z.enum(impacts).nullable().optional(),
  /** Absent: keep the incident's ETA; null clears it. */
  eta: z.string().nullable().optional(),
});
export type PendingChanges = z.output<typeof PendingChanges>;

export function pendingOf(row: { readonly pending: string | null }): PendingChanges {
  return row.pending === null
    ? { components: {}, component_ids: [] }
    : readJson(PendingChanges, row.pending, 'incident_updates.pending');
}

/** `incident_updates.lint`: the problems lint found at submission or publication. */
export const StoredLintProblem = z
  .object({
    code: z.enum(lintCodes),
    message: z.string(),
    match: z.string().optional().describe('The words that triggered it, when there are some.'),
    channel: z.string().optional().describe('The channel kind or variant it is about, when it is about one.'),
    language: z
      .string()
      .optional()
      .describe("The language of the translation it is about; absent for the words in the page's language."),
  })
  .meta({ id: 'LintProblem' }) satisfies z.ZodType<LintProblem>;
const LintProblems = z.array(StoredLintProblem);

export function lintOf(row: { readonly lint: string | null }): LintProblem[] {
  return row.lint === null ? [] : readJson(LintProblems, row.lint, 'incident_updates.lint');
}

/** `incident_updates.lint_override`: a comms lead published despite lint, saying why. */
export const LintOverrideRecord = z.object({ reason: z.string(), by: z.string(), at: z.string() });
export type LintOverrideRecord = z.output<typeof LintOverrideRecord>;

export function lintOverrideOf(row: { readonly lint_override: string | null }): LintOverrideRecord | null {
  return row.lint_override === null
    ? null
    : readJson(LintOverrideRecord, row.lint_override, 'incident_updates.lint_override');
}

/** One change between two plan versions. */
export const PlanChange = z
  .object({
    path: z.string().describe('Where in the plan, dotted: `channels.email.fallback`.'),
    kind: z.enum(['added', 'removed', 'changed']),
    before: z.unknown().optional(),
    after: z.unknown().optional(),
  })
  .meta({ id: 'PlanChange' });
const PlanChanges = z.array(PlanChange);

/** `plan_versions.diff`: what a version changed from the one before it. */
export function planDiffOf(row: { readonly diff: string }): z.output<typeof PlanChanges> {
  return readJson(PlanChanges, row.diff, 'plan_versions.diff');
}

/**
 * `plan_versions.plan`: the plan as validated when it was applied, as a JSON
 * object; the services parse it again with the plan's own schema (src/plan/),
 * which the store does not know.
 */
export function planJsonOf(row: { readonly plan: string }): Record<string, unknown> {
  return readJson(z.record(z.string(), z.unknown()), row.plan, 'plan_versions.plan');
}

/** `audit_log.before` and `after`: any JSON, shown as recorded. */
export function auditValuesOf(row: { readonly before: string | null; readonly after: string | null }): {
  before: unknown;
  after: unknown;
} {
  return {
    before: row.before === null ? null : readJson(z.unknown(), row.before, 'audit_log.before'),
    after: row.after === null ? null : readJson(z.unknown(), row.after, 'audit_log.after'),
  };
}

const TextMap = z.record(z.string(), z.string());

/** `alerts.labels` and `alerts.annotations`: text to text, as the ingest parsers wrote them. */
export function alertMapsOf(row: { readonly labels: string; readonly annotations: string }): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  return {
    labels: readJson(TextMap, row.labels, 'alerts.labels'),
    annotations: readJson(TextMap, row.annotations, 'alerts.annotations'),
  };
}
