/**
 * Notices to the people holding incident roles, on the plan's internal
 * channels (or a role's own channel), through the outbox: written in the
 * caller's transaction, sent by the worker.
 */

import type { IncidentRole } from '../../domain/roles.ts';
import { noticeChannels, plannedChannel } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { enqueueJob, type NoticeMessage, sendToChannel } from '../../store/outbox.ts';
import type { Ctx } from '../context.ts';
import { incidentLink } from '../incidents/links.ts';

/** The incident's page on the status page, for the words customers read once it is published there. */
export function incidentUrl(ctx: Pick<Ctx, 'config'>, incidentId: string): string {
  return `${ctx.config.publicUrl}/incidents/${incidentId}`;
}

/** Where a notice to the team links: the incident's page in the console, where the team acts on it. */
export function teamLink(ctx: Pick<Ctx, 'db' | 'config'>, incidentId: string): Promise<string> {
  return incidentLink(ctx.db, ctx.config.publicUrl, incidentId, 'team');
}

/** What a notice about an incident carries besides its words: a drill's are marked as such. */
export function drillMark(incident: { id: string; drill: number }): { drill?: true; drill_id?: string } {
  return incident.drill === 1 ? { drill: true, drill_id: incident.id } : {};
}

/** Sends a notice meant for a role's holder; returns the channels it went to. */
export async function noticeTo(
  tx: Ctx,
  plan: Plan | null,
  role: IncidentRole | null,
  message: NoticeMessage,
): Promise<string[]> {
  const channels = noticeChannels(plan, role);
  for (const channel of channels) await sendToChannel(tx, channel, message);
  return channels;
}

function hasChannelOfKind(plan: Plan | null, kind: 'email' | 'sms'): boolean {
  if (plan === null) return false;
  return Object.keys(plan.channels).some((name) => plannedChannel(plan, name)?.kind === kind);
}

/** Whether the internal audience lists a channel that calls (voice-twilio). */
function teamHearsByVoice(plan: Plan | null): boolean {
  const team = plan?.audiences.internal?.channels ?? [];
  return plan !== null && team.some((name) => plannedChannel(plan, name)?.kind === 'voice');
}

/**
 * Pages a role's holder: the role's notice channels, and the holder in person by email (an
 * address), SMS (a phone the plan gives the role) where the plan has such a channel, and a call
 * to that phone where the team hears by voice. Returns
 * how, in words for an outcome or an audit entry; empty when nothing could reach them.
 */
export async function pageHolder(
  tx: Ctx,
  plan: Plan | null,
  role: IncidentRole,
  holder: string,
  message: NoticeMessage,
): Promise<string[]> {
  const via = await noticeTo(tx, plan, role, message);
  if (holder.includes('@') && hasChannelOfKind(plan, 'email')) {
    await enqueueJob(tx, { kind: 'person.notice', payload: { via: 'email', contact: holder, message } });
    via.push('email');
  }
  const phone = plan?.roles[role]?.phones[holder];
  if (phone !== undefined && hasChannelOfKind(plan, 'sms')) {
    await enqueueJob(tx, { kind: 'person.notice', payload: { via: 'sms', contact: phone, message } });
    via.push('sms');
  }
  // A call wakes someone a text may not: placed where the team hears by voice (the internal audience).
  if (phone !== undefined && teamHearsByVoice(plan)) {
    await enqueueJob(tx, { kind: 'person.notice', payload: { via: 'voice', contact: phone, message } });
    via.push('voice');
  }
  return via;
}
