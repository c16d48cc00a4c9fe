/**
 * What a cadence reminder says, written when it is sent rather than when it
 * is armed: the holders it names are those holding the roles then, the
 * time is written in the page's time zone of the plan then in force, and a
 * reminder whose deadline has moved on, or whose incident has closed, says
 * nothing at all.
 */

import { reminderStillDue } from '../../domain/cadence.ts';
import { incidentRoleLabels } from '../../domain/roles.ts';
import { formatTime } from '../../domain/templates.ts';
import { timeZoneOf } from '../../plan/variables.ts';
import type { CadenceReminder, NoticeMessage } from '../../store/outbox.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { drillMark, teamLink } from '../plan/notices.ts';
import { holdersOf } from '../plan/roles.ts';
import { readDeadline } from './deadlines.ts';

/** The notice a reminder sends now, or null when it no longer applies. */
export async function reminderNotice(
  ctx: Pick<Ctx, 'db' | 'config'>,
  reminder: CadenceReminder,
): Promise<NoticeMessage | null> {
  const incident = await ctx.db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', reminder.incident_id)
    .executeTakeFirst();
  if (!incident) return null;
  const audience = reminder.external_audience ?? 'public';
  const deadline =
    reminder.audience === 'external'
      ? (await readDeadline(ctx.db, incident.id, audience)).due_at
      : incident.next_internal_update_due_at;
  if (!reminderStillDue({ dueAt: reminder.due_at }, deadline, incident.status)) return null;
  const holders = await holdersOf(ctx.db, incident.id);
  const at = formatTime(reminder.due_at, timeZoneOf(await currentPlan(ctx.db), ctx.config.page.timeZone));
  const comms = holders.comms_lead ?? 'nobody';
  const lead = holders.incident_lead ?? 'nobody';
  const name = incident.name;
  const base = { url: await teamLink(ctx, incident.id), impact: incident.impact, ...drillMark(incident) };
  // The public update is "the customer update"; another audience's is named.
  const update = audience === 'public' ? 'customer update' : `${audience} update`;
  const Update = update.charAt(0).toUpperCase() + update.slice(1);
  if (reminder.audience === 'internal') {
    return {
      title: `Internal update due now: "${name}"`,
      text: `${lead} (${incidentRoleLabels.incident_lead}): the internal update on "${name}" is due now (${at}). Tell responders and support where things stand.`,
      ...base,
    };
  }
  switch (reminder.stage) {
    case 'before_due':
      return {
        title: `${Update} due at ${at}: "${name}"`,
        text: `${comms} (${incidentRoleLabels.comms_lead}): the next ${update} on "${name}" is due at ${at}. Draft it from the scenario template now.`,
        ...base,
      };
    case 'due':
      return {
        title: `${Update} due now: "${name}"`,
        text: `${comms} (${incidentRoleLabels.comms_lead}): the ${update} on "${name}" is due now (${at}). Customers were promised news at this time.`,
        ...base,
      };
    case 'overdue':
      return {
        title: `${Update} overdue: "${name}"`,
        text: `${lead} (${incidentRoleLabels.incident_lead}) and ${comms} (${incidentRoleLabels.comms_lead}): the ${update} on "${name}" was due at ${at} and has not been published. Publish one now, even if there is no news.`,
        ...base,
      };
  }
}
