/**
 * Notices to the people holding incident roles, on the plan's internal
 * channels (or a role's own channel), through the outbox: written in the
 * caller's transaction, sent by the worker.
 */

import type { IncidentRole } from '../../domain/roles.ts';
import { noticeChannels } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { type NoticeMessage, sendToChannel } from '../../store/outbox.ts';
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
