/** What the plan says, read for one incident: approval, cadence, lint, channels, templates. */

import { moduleOf } from '../channels/registry.ts';
import { type ApprovalPolicy, noApproval } from '../domain/approval.ts';
import { type CadencePolicy, defaultOverdueAfterMs, defaultRemindBeforeMs } from '../domain/cadence.ts';
import {
  type ChannelKind,
  type ChannelLimits,
  defaultLimits,
  type TemplateVariant,
  type TextVariant,
  variantUsed,
} from '../domain/channel-limits.ts';
import { parseDuration } from '../domain/duration.ts';
import type { IncidentStatus } from '../domain/incidents.ts';
import type { PageLanguage } from '../domain/languages.ts';
import type { LintOptions } from '../domain/lint.ts';
import type { IncidentRole } from '../domain/roles.ts';
import type { Counting } from '../domain/social-text.ts';
import { builtInChannels, type Plan, type ScenarioSpec, type SeveritySpec } from './schema.ts';

/** A duration of the plan in milliseconds, divided by a drill's speed (1 for real incidents). */
function ms(text: string | undefined, speed = 1): number | null {
  const parsed = text === undefined ? null : parseDuration(text);
  return parsed === null ? null : Math.round(parsed / speed);
}

export function severityOf(plan: Plan | null, name: string | null): SeveritySpec | null {
  if (plan === null || name === null) return null;
  return plan.severities[name] ?? null;
}

/** `speed`: a drill's, which divides the approval timeout (1 for real incidents). */
export function approvalPolicy(plan: Plan | null, severity: string | null, speed = 1): ApprovalPolicy {
  const spec = severityOf(plan, severity);
  if (spec === null || spec.approval === 'none') return noApproval;
  if (typeof spec.approval === 'string') {
    return {
      kind: 'roles',
      roles: [spec.approval],
      count: 1,
      publishUnapprovedAfterMs: null,
      fallback: spec.approval_fallback,
    };
  }
  return {
    kind: 'roles',
    roles: spec.approval.any_of,
    count: spec.approval.count,
    publishUnapprovedAfterMs: ms(spec.approval.publish_unapproved_after, speed),
    fallback: spec.approval_fallback,
  };
}

/** `speed`: a drill's, which divides every duration (1 for real incidents). */
export function cadencePolicy(plan: Plan | null, severity: string | null, speed = 1): CadencePolicy {
  const spec = severityOf(plan, severity);
  return {
    externalMs: ms(spec?.external_cadence, speed),
    internalMs: ms(spec?.internal_cadence, speed),
    firstExternalMs: ms(spec?.first_external_within, speed),
    remindBeforeMs: ms(spec?.remind_before, speed) ?? Math.round(defaultRemindBeforeMs / speed),
    overdueAfterMs: ms(spec?.overdue_after, speed) ?? Math.round(defaultOverdueAfterMs / speed),
  };
}

export function limitsOf(plan: Plan | null): ChannelLimits {
  const l = plan?.lint.limits ?? {};
  return {
    sms_segments: l.sms_segments ?? defaultLimits.sms_segments,
    chat: l.chat ?? defaultLimits.chat,
    social: l.social ?? defaultLimits.social,
    push: l.push ?? defaultLimits.push,
    email_subject: l.email_subject ?? defaultLimits.email_subject,
    voice_seconds: l.voice_seconds ?? defaultLimits.voice_seconds,
  };
}

export function lintOptions(
  plan: Plan | null,
  status: IncidentStatus,
  kind?: ChannelKind | 'email_subject',
  maxLength: number | null = null,
  counting: Counting = 'code_points',
  language: string = plan?.page?.language ?? 'en',
): LintOptions {
  return {
    status,
    maxGrade: plan?.lint.max_grade ?? 9,
    internalTerms: plan?.lint.internal_terms ?? [],
    allowTerms: plan?.lint.allow_terms ?? [],
    limits: limitsOf(plan),
    ...(kind !== undefined && { kind }),
    ...(maxLength !== null && { maxLength }),
    ...(counting !== 'code_points' && { counting }),
    ...(language !== 'en' && { language }),
  };
}

export interface PlannedChannel {
  name: string;
  type: string;
  /** What its module declares: the kind of text, the template variant, the provider's own limit. */
  kind: ChannelKind;
  variant: TextVariant | null;
  maxLength: number | null;
  /** How the provider counts characters. */
  counting: Counting;
}

/** The type of a channel the plan names (a configured one, or a built-in one). */
export function channelType(plan: Plan, name: string): string | null {
  const configured = plan.channels[name];
  if (configured) return configured.type;
  if ((builtInChannels as readonly string[]).includes(name)) return name === 'feed' ? 'page' : 'status-page';
  return null;
}

/** A channel the plan names, with what its module declares; null for a name the plan lacks. */
export function plannedChannel(plan: Plan, name: string): PlannedChannel | null {
  const type = channelType(plan, name);
  if (type === null) return null;
  const module = moduleOf(type);
  if (!module) return { name, type, kind: 'page', variant: null, maxLength: null, counting: 'code_points' };
  return {
    name,
    type,
    kind: module.kind,
    variant: module.variant,
    maxLength: module.maxLength,
    counting: module.counting ?? 'code_points',
  };
}

/** The channels an audience hears on, as the plan lists them. */
export function channelsForAudience(plan: Plan | null, audience: string): PlannedChannel[] {
  if (plan === null)
    return [
      {
        name: 'status-page',
        type: 'status-page',
        kind: 'page',
        variant: null,
        maxLength: null,
        counting: 'code_points',
      },
    ];
  const spec = plan.audiences[audience];
  if (!spec) return [];
  return spec.channels.flatMap((name) => plannedChannel(plan, name) ?? []);
}

/** Where notices to a role holder go: the role's own channel, or the internal audience's channels. */
export function noticeChannels(plan: Plan | null, role: IncidentRole | null): string[] {
  if (plan === null) return [];
  const own = role === null ? undefined : plan.roles[role]?.channel;
  if (own) return [own];
  return (plan.audiences.internal?.channels ?? []).filter((c) => takesNotices(plan, c));
}

/**
 * Whether a configured channel has somewhere for notices to go: a room of the plan's own (its
 * `url`) or a broadcast's account. A chat channel with only a bot keeps incident rooms instead,
 * where the same news is posted.
 */
function takesNotices(plan: Plan, name: string): boolean {
  const settings = plan.channels[name];
  const module = settings ? moduleOf(settings.type) : undefined;
  if (!settings || !module) return false;
  return 'broadcast' in module.reach || module.notices?.(settings) !== undefined;
}

/** The template text for a status and variant, falling back to the generic text. */
/** `language`: one of the plan's other languages (its `translations`); null for the page's own. */
export function templateFor(
  scenario: ScenarioSpec,
  status: IncidentStatus,
  variant: TemplateVariant | null,
  language: PageLanguage | null = null,
): string | null {
  const set = (language === null ? scenario.templates : scenario.translations[language])?.[status];
  if (set === undefined) return null;
  if (typeof set === 'string') return variant === 'email_subject' ? null : set;
  if (variant === null) return set.text;
  if (variant === 'email_subject') return set.email_subject ?? null;
  const used = variantUsed(set, variant);
  return used === null ? set.text : (set[used] ?? set.text);
}

/**
 * The channels that keep a room per incident: where the internal audience asks for one
 * (`chat_room_per_incident: true`), those of its channels whose settings give a bot.
 */
export function roomChannels(plan: Plan | null): string[] {
  if (!plan?.audiences.internal?.chat_room_per_incident) return [];
  return botChannels(plan);
}

/** Whether the plan's channel of this name has a bot that can keep rooms (Slack or Mattermost with a bot_token). */
export function keepsRooms(plan: Plan, name: string): boolean {
  const settings = plan.channels[name];
  const module = settings ? moduleOf(settings.type) : undefined;
  return settings !== undefined && module?.keepsRooms?.(settings) === true;
}

/** The internal audience's channels with a bot, whether or not it asks for a room per incident. */
export function botChannels(plan: Plan | null): string[] {
  const internal = plan?.audiences.internal;
  if (!plan || !internal) return [];
  return internal.channels.filter((name) => keepsRooms(plan, name));
}
