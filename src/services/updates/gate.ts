/**
 * What stands between a draft and the customers: the audience must be one
 * the plan allows at this severity, lint must pass (or a comms lead
 * overrides it with a reason), and approval must be given where the plan
 * asks for it.
 */

import { z } from 'zod';
import { type ChannelKind, variantUsed } from '../../domain/channel-limits.ts';
import { CrierError } from '../../domain/errors.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import type { PageLanguage } from '../../domain/languages.ts';
import { type LintProblem, lintMessage, lintTranslated } from '../../domain/lint.ts';
import { isHolder } from '../../domain/roles.ts';
import { channelsForAudience, lintOptions, severityOf } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { lintOverrideOf, translationsOf } from '../../store/json.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { holdersOf } from '../plan/roles.ts';
import { asIfPublishedNow } from './next-update.ts';
import { type Variants, variantsOf } from './rows.ts';

export const LintOverride = z.strictObject({
  reason: z.string().trim().min(3).max(1000).describe('Why this message goes out despite lint; recorded.'),
});
export type LintOverride = z.infer<typeof LintOverride>;

/** The audiences an update may go to: those of the incident's severity, or all the plan defines. */
function allowedAudiences(plan: Plan, severity: string | null): string[] {
  const spec = severityOf(plan, severity);
  const list = spec?.audiences ?? Object.keys(plan.audiences);
  return [...new Set([...list.filter((a) => a in plan.audiences), 'internal'])];
}

export function assertAudience(plan: Plan | null, incident: IncidentRow, audience: string): void {
  if (audience === 'internal') return;
  // A private incident speaks to its own audience (and the team) only: nothing of it may reach another.
  if (incident.audience !== null && audience !== incident.audience) {
    throw new CrierError(
      'audience_not_found',
      `This incident is private to the ${incident.audience} audience: its updates go to ${incident.audience} or internal.`,
      { audience, allowed: [incident.audience, 'internal'] },
    );
  }
  if (plan === null) return;
  const allowed = allowedAudiences(plan, incident.severity);
  if (!allowed.includes(audience)) {
    throw new CrierError(
      'audience_not_found',
      `The plan has no audience "${audience}" for ${incident.severity ?? 'this incident'}.`,
      { audience, allowed },
    );
  }
}

/** An update's words in the plan's other languages, as a draft holds them. */
type DraftTranslations = Readonly<Partial<Record<PageLanguage, { body: string; variants?: Variants }>>>;

/** Lints a draft's body and variants for every channel its audience goes out on, and its translations as templates are. */
function lintDraft(
  plan: Plan | null,
  status: IncidentStatus,
  audience: string,
  body: string,
  variants: Variants,
  skipKinds: readonly ChannelKind[] = [],
  translations: DraftTranslations = {},
): LintProblem[] {
  if (plan === null || audience === 'internal') return [];
  const problems: LintProblem[] = [...lintMessage(body, lintOptions(plan, status))];
  const seen = new Set(problems.map((p) => `${p.code}:${p.match ?? ''}`));
  const add = (list: LintProblem[], channel: string) => {
    for (const p of list) {
      const key = `${p.code}:${p.match ?? ''}`;
      if (seen.has(key) && p.code !== 'too_long') continue;
      seen.add(key);
      problems.push({ ...p, channel });
    }
  };
  const linted = new Set<string>();
  for (const c of channelsForAudience(plan, audience)) {
    const key = `${c.kind}:${c.variant}:${c.maxLength}:${c.counting}`;
    if (skipKinds.includes(c.kind) || linted.has(key)) continue;
    linted.add(key);
    const used = variantUsed(variants, c.variant);
    const text = (used && variants[used]) || body;
    add(lintMessage(text, lintOptions(plan, status, c.kind, c.maxLength, c.counting)), c.kind);
  }
  if (variants.email_subject) {
    add(lintMessage(variants.email_subject, lintOptions(plan, status, 'email_subject')), 'email_subject');
  }
  for (const language of Object.keys(translations) as PageLanguage[]) {
    const words = translations[language];
    if (words === undefined) continue;
    const own = words.variants ?? {};
    problems.push(...lintTranslated(words.body, language, lintOptions(plan, status)));
    const lengths = new Set<string>();
    for (const c of channelsForAudience(plan, audience)) {
      const key = `${c.kind}:${c.variant}:${c.maxLength}:${c.counting}`;
      if (skipKinds.includes(c.kind) || lengths.has(key)) continue;
      lengths.add(key);
      const used = variantUsed(own, c.variant);
      const text = (used && own[used]) || words.body;
      const options = lintOptions(plan, status, c.kind, c.maxLength, c.counting);
      for (const p of lintTranslated(text, language, options)) problems.push({ ...p, channel: c.kind });
    }
    if (own.email_subject) {
      const options = lintOptions(plan, status, 'email_subject');
      for (const p of lintTranslated(own.email_subject, language, options))
        problems.push({ ...p, channel: 'email_subject' });
    }
  }
  return problems;
}

/**
 * Whether SMS and voice subscribers get this update: by default a text or a call carries only an
 * audience's first update and the resolving one (a channel may say `updates: all`).
 */
async function smsGoesOut(
  tx: Ctx,
  plan: Plan,
  incidentId: string,
  audience: string,
  status: IncidentStatus,
): Promise<boolean> {
  const sms = channelsForAudience(plan, audience).filter((c) => c.kind === 'sms' || c.kind === 'voice');
  if (sms.length === 0) return false;
  if (status === 'resolved') return true;
  const every = (name: string) => {
    const settings = plan.channels[name];
    return settings !== undefined && 'updates' in settings && settings.updates === 'all';
  };
  if (sms.some((c) => every(c.name))) return true;
  const earlier = await tx.db
    .selectFrom('incident_updates')
    .select('id')
    .where('incident_id', '=', incidentId)
    .where('audience', '=', audience)
    .where('state', '=', 'published')
    .limit(1)
    .executeTakeFirst();
  return earlier === undefined;
}

/** Lints an update for the channels it will actually go out on. */
export async function lintUpdate(
  tx: Ctx,
  plan: Plan | null,
  incidentId: string,
  status: IncidentStatus,
  audience: string,
  body: string,
  variants: Variants,
  translations: DraftTranslations = {},
): Promise<LintProblem[]> {
  if (plan === null || audience === 'internal') return [];
  const skip: ChannelKind[] = (await smsGoesOut(tx, plan, incidentId, audience, status))
    ? []
    : ['sms', 'voice'];
  // The words as they would go out now, `{{ next_update_at }}` written as the time it would be.
  const incident = await tx.db
    .selectFrom('incidents')
    .select(['severity', 'drill_speed'])
    .where('id', '=', incidentId)
    .executeTakeFirst();
  const shown = asIfPublishedNow(
    tx,
    plan,
    incident ?? { severity: null, drill_speed: 1 },
    status,
    audience,
    body,
    variants,
  );
  return lintDraft(plan, status, audience, shown.body, shown.variants, skip, translations);
}

/** Lints a stored update as it stands: its status, audience, body and variants. */
export function lintRow(tx: Ctx, plan: Plan | null, row: IncidentUpdateRow): Promise<LintProblem[]> {
  return lintUpdate(
    tx,
    plan,
    row.incident_id,
    row.status,
    row.audience,
    row.body,
    variantsOf(row),
    translationsOf(row),
  );
}

/** A comms lead may publish despite lint: the incident's holder, a standing comms lead, or an admin. */
export async function mayOverrideLint(tx: Ctx, incidentId: string): Promise<boolean> {
  if (tx.actor.role === 'admin' || tx.actor.role === 'comms_lead') return true;
  const holders = await holdersOf(tx.db, incidentId);
  return isHolder(holders.comms_lead, tx.actor.id);
}

export interface LintVerdict {
  problems: LintProblem[];
  override: (LintOverride & { by: string; at: string }) | null;
}

/**
 * Lint must pass, or be overridden by a comms lead with a reason. Throws
 * lint_failed listing what to change; returns what to record.
 */
export async function requireLintPass(
  tx: Ctx,
  incidentId: string,
  problems: LintProblem[],
  override: LintOverride | undefined,
): Promise<LintVerdict> {
  if (problems.length === 0) return { problems, override: null };
  if (override === undefined) {
    throw new CrierError('lint_failed', lintSummary(problems), { problems });
  }
  if (!(await mayOverrideLint(tx, incidentId))) {
    throw new CrierError('forbidden', 'Only the communications lead may publish a message that fails lint.', {
      problems,
    });
  }
  return { problems, override: { ...override, by: tx.actor.id, at: tx.clock.now().toISOString() } };
}

/** The row with the lint verdict recorded: the problems, and an override given now (else the one it had). */
export function withVerdict(row: IncidentUpdateRow, verdict: LintVerdict): IncidentUpdateRow {
  return {
    ...row,
    lint: JSON.stringify(verdict.problems),
    lint_override: verdict.override === null ? row.lint_override : JSON.stringify(verdict.override),
  };
}

/** The override a comms lead recorded on the row, if any. */
export function storedOverride(row: IncidentUpdateRow): LintOverride | undefined {
  return lintOverrideOf(row) ?? undefined;
}

const missingWhat: Partial<Record<LintProblem['code'], string>> = {
  missing_impact: 'what customers experience',
  missing_next_update: 'when customers will hear next',
  missing_recovery: 'what works again',
  missing_scope: 'for whom',
};

function lintSummary(problems: readonly LintProblem[]): string {
  const missing = problems.filter((p) => missingWhat[p.code] !== undefined);
  const what = [...new Set(missing.map((p) => missingWhat[p.code]))];
  const head =
    what.length > 0
      ? `The message does not say ${what.join(' or ')}.`
      : 'The message breaks the plan’s rules.';
  const others = problems.filter((p) => !missing.includes(p)).map((p) => p.message);
  return [head, ...others].join(' ');
}
