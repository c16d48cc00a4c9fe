/**
 * The checks that need the whole plan: every reference resolves, every
 * severity has a cadence and audiences, every template renders and passes
 * lint for every status and channel it can go out on, and every `env:`
 * secret is set. Each problem names its path in the file.
 */

import {
  type ChannelKind,
  type TextVariant,
  templateVariants,
  variantUsed,
} from '../domain/channel-limits.ts';
import { parseDuration } from '../domain/duration.ts';
import { type IncidentStatus, incidentStatuses, isOpen } from '../domain/incidents.ts';
import type { PageLanguage } from '../domain/languages.ts';
import { lintMessage } from '../domain/lint.ts';
import type { Counting } from '../domain/social-text.ts';
import { isValidTimeZone, renderTemplate } from '../domain/templates.ts';
import { resolveSecrets } from './channels.ts';
import { checkGameDays } from './game-days.ts';
import { channelType, lintOptions, type PlannedChannel, plannedChannel, roomChannels } from './policy.ts';
import { checkRunbooks } from './runbook-check.ts';
import { type Plan, planLanguages, type ScenarioSpec } from './schema.ts';
import { checkSentiment } from './sentiment.ts';
import { checkSingleSignOn } from './single-sign-on.ts';
import { checkTranslations } from './translation-check.ts';
import { templateVariables } from './variables.ts';

export interface PlanProblem {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

export interface CheckOptions {
  /** When given, every `env:NAME` must be set in it. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** A fixed instant for sample renders, so `plan check` output is stable. */
const sampleNow = '2026-01-15T13:00:00.000Z';
const sampleNext = '2026-01-15T13:30:00.000Z';
const sampleEta = '2026-01-15T15:00:00.000Z';

export function checkPlan(plan: Plan, options: CheckOptions = {}): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const severityNames = Object.keys(plan.severities);

  if (plan.page === undefined) add('page', 'the plan has no page: give at least its name and time_zone');
  else if (!isValidTimeZone(plan.page.time_zone)) {
    add('page.time_zone', `"${plan.page.time_zone}" is not an IANA time zone (for example Europe/Paris)`);
  }

  for (const [role, spec] of Object.entries(plan.roles)) {
    if (spec?.channel !== undefined && channelType(plan, spec.channel) === null) {
      add(`roles.${role}.channel`, `no channel named "${spec.channel}"`);
    }
    if (spec?.shift !== undefined && spec.rota_start === undefined) {
      add(`roles.${role}.rota_start`, 'a rota with a shift needs rota_start: when the first turn began');
    }
  }

  if (severityNames.length === 0) add('severities', 'the plan defines no severity: add at least one (SEV1)');
  for (const [name, s] of Object.entries(plan.severities)) {
    const at = `severities.${name}`;
    if (s.external_cadence === undefined) {
      add(`${at}.external_cadence`, 'no external cadence: say how often customers hear from you (30m)');
    }
    if (s.audiences === undefined || s.audiences.length === 0) {
      add(`${at}.audiences`, 'no audiences: say who hears about incidents of this severity');
    }
    s.audiences?.forEach((a, i) => {
      if (!(a in plan.audiences)) add(`${at}.audiences.${i}`, `no audience named "${a}"`);
    });
    const cadence = parseDuration(s.external_cadence ?? '');
    const before = parseDuration(s.remind_before ?? '');
    if (cadence !== null && before !== null && before >= cadence) {
      add(
        `${at}.remind_before`,
        `the reminder must come before the update is due (less than ${s.external_cadence})`,
      );
    }
  }

  for (const [name, a] of Object.entries(plan.audiences)) {
    a.channels.forEach((c, i) => {
      if (channelType(plan, c) === null) add(`audiences.${name}.channels.${i}`, `no channel named "${c}"`);
    });
    if (name === 'public' && a.private_page !== false) {
      add(
        'audiences.public.private_page',
        'the public audience has the public page: a private page is for another audience',
      );
    }
  }

  problems.push(...checkDrillAudience(plan));
  for (const [name, a] of Object.entries(plan.audiences)) {
    if (!a.chat_room_per_incident) continue;
    if (name !== 'internal') {
      add(`audiences.${name}.chat_room_per_incident`, 'only the internal audience has a room per incident');
    } else if (roomChannels(plan).length === 0) {
      add(
        `audiences.${name}.chat_room_per_incident`,
        'none of this audience’s channels has a bot to keep the rooms: give a slack or mattermost channel a bot_token (docs/chat.md)',
      );
    }
  }
  problems.push(
    ...checkGameDays(plan.drills, {
      scenarios: Object.keys(plan.scenarios),
      severities: Object.keys(plan.severities),
      channels: Object.keys(plan.channels),
    }),
  );

  if (options.env) {
    for (const p of resolveSecrets(plan.channels, options.env).problems) add(p.path, p.message);
    problems.push(...checkSingleSignOn(plan.single_sign_on, options.env));
  }

  for (const [name, scenario] of Object.entries(plan.scenarios)) {
    const at = `scenarios.${name}`;
    if (scenario.severity !== undefined && !(scenario.severity in plan.severities)) {
      add(`${at}.severity`, `no severity named "${scenario.severity}"; the plan has ${list(severityNames)}`);
    }
    for (const needed of ['investigating', 'resolved'] as const) {
      if (scenario.templates[needed] === undefined) {
        add(
          `${at}.templates.${needed}`,
          `no template for ${needed}: every scenario says how it opens and closes`,
        );
      }
    }
    problems.push(...checkTemplates(plan, name, scenario));
    problems.push(
      ...checkTranslations(plan, name, scenario, (source, status, language) => {
        const [sample] = samples(plan, scenario, name, status, language);
        return sample
          ? renderTemplate(source, sample.vars, sample.timeZone, language)
          : { ok: true, text: source };
      }),
    );
  }

  problems.push(...checkRunbooks(plan));
  problems.push(...checkSentiment(plan.sentiment, plan.channels));
  return problems;
}

/**
 * Drills reach the team only: their audience is not one customers are in (public, or one a
 * severity speaks to), and hears on no webhook (the page and feeds are public's alone).
 */
function checkDrillAudience(plan: Plan): PlanProblem[] {
  const name = plan.drill.audience;
  const at = 'drill.audience';
  if (name === 'public')
    return [{ path: at, message: 'drills never reach the public: name the team’s audience (internal)' }];
  const spec = plan.audiences[name];
  if (spec === undefined) {
    return name === 'internal' ? [] : [{ path: at, message: `no audience named "${name}"` }];
  }
  const problems: PlanProblem[] = [];
  if (name !== 'internal') {
    for (const [severity, s] of Object.entries(plan.severities)) {
      if (s.audiences?.includes(name)) {
        problems.push({
          path: at,
          message: `"${name}" hears about ${severity} incidents, so customers may be in it: give drills an audience of the team's own`,
        });
      }
    }
  }
  // The page and feeds are refused in any audience but public already (not-yet-supported.ts).
  spec.channels.forEach((c, i) => {
    if (channelType(plan, c) === 'webhook') {
      problems.push({
        path: `audiences.${name}.channels.${i}`,
        message: `drills go to "${name}", and never to webhooks (customers' integrations): take "${c}" out of it`,
      });
    }
  });
  return problems;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

/**
 * What a scenario's messages can go out on: the channels of its severity's external audiences,
 * one of each kind, variant and provider limit.
 */
function channelsFor(plan: Plan, scenario: ScenarioSpec): PlannedChannel[] {
  const severity = scenario.severity === undefined ? undefined : plan.severities[scenario.severity];
  const audiences = severity?.audiences ?? Object.keys(plan.audiences);
  const found = new Map<string, PlannedChannel>();
  for (const a of audiences) {
    if (a === 'internal' || a === plan.drill.audience) continue;
    for (const name of plan.audiences[a]?.channels ?? []) {
      const c = plannedChannel(plan, name);
      if (c !== null) found.set(`${c.kind}:${c.variant}:${c.maxLength}:${c.counting}`, c);
    }
  }
  return [...found.values()];
}

type LintTarget =
  | { kind: ChannelKind | 'email_subject'; maxLength: number | null; counting?: Counting }
  | undefined;

function checkTemplates(plan: Plan, name: string, scenario: ScenarioSpec): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const channels = channelsFor(plan, scenario);
  for (const status of incidentStatuses) {
    const set = scenario.templates[status];
    if (set === undefined) continue;
    const base = `scenarios.${name}.templates.${status}`;
    // The variant each channel says: its own, or the one it falls back to (a call, the SMS text).
    const used = (variant: TextVariant | null) =>
      typeof set === 'string' ? null : variantUsed(set, variant);
    // The generic text goes out on every channel that has no variant of its own, so it must fit them
    // all; a variant, on the channels that take it (or the kind named like it, when none does).
    const generic: LintTarget[] = [
      undefined,
      ...channels
        .filter((c) => used(c.variant) === null)
        .map((c) => ({ kind: c.kind, maxLength: c.maxLength, counting: c.counting })),
    ];
    const texts: { path: string; source: string; targets: LintTarget[] }[] = [];
    if (typeof set === 'string') texts.push({ path: base, source: set, targets: generic });
    else {
      texts.push({ path: `${base}.text`, source: set.text, targets: generic });
      for (const v of templateVariants) {
        const source = set[v];
        if (source === undefined) continue;
        const taking = channels.filter((c) => used(c.variant) === v);
        texts.push({
          path: `${base}.${v}`,
          source,
          targets:
            v === 'email_subject' || taking.length === 0
              ? [{ kind: v, maxLength: null }]
              : taking.map((c) => ({ kind: c.kind, maxLength: c.maxLength, counting: c.counting })),
        });
      }
    }
    for (const t of texts) {
      for (const sample of samples(plan, scenario, name, status)) {
        const rendered = renderTemplate(t.source, sample.vars, sample.timeZone, sample.language);
        if (!rendered.ok) {
          problems.push({ path: t.path, message: `does not render: ${rendered.error}` });
          break;
        }
        const seen = new Set<string>();
        for (const target of t.targets) {
          const options = lintOptions(
            plan,
            status,
            target?.kind,
            target?.maxLength ?? null,
            target?.counting,
          );
          for (const p of lintMessage(rendered.text, options)) {
            const key = `${p.code}:${p.match ?? ''}:${p.channel ?? ''}`;
            if (seen.has(key)) continue;
            seen.add(key);
            problems.push({ path: t.path, message: `${p.code}${sample.label}: ${p.message}` });
          }
        }
        if (seen.size > 0) break;
      }
    }
  }
  return problems;
}

/** Sample values for a scenario's templates in `language` (the page's by default). */
function samples(
  plan: Plan,
  scenario: ScenarioSpec,
  name: string,
  status: IncidentStatus,
  language: PageLanguage = planLanguages(plan)[0] ?? 'en',
) {
  const timeZone = plan.page?.time_zone && isValidTimeZone(plan.page.time_zone) ? plan.page.time_zone : 'UTC';
  const open = isOpen(status);
  const make = (eta: string | null, label: string) => ({
    label,
    timeZone,
    language,
    vars: templateVariables({
      plan: { ...plan, page: plan.page ? { ...plan.page, time_zone: timeZone } : undefined },
      pageName: plan.page?.name ?? 'Status',
      fallbackTimeZone: timeZone,
      incident: { id: 'sample', name: scenario.name ?? name, severity: scenario.severity ?? null, eta },
      status,
      componentNames: scenario.components.length > 0 ? scenario.components : ['the service'],
      impact: scenario.customer_impact ?? null,
      workaround: scenario.workaround ?? null,
      nextUpdateAt: open ? sampleNext : null,
      incidentUrl: `${plan.page?.url ?? 'https://status.example.com'}/incidents/sample`,
      now: sampleNow,
      language,
    }),
  });
  return open ? [make(null, ''), make(sampleEta, ' (with an ETA)')] : [make(null, '')];
}
