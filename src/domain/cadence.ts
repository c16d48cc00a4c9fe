/**
 * Cadence: when the next update is due, who is reminded when, and how well
 * an incident kept to it. Pure: instants come in as ISO strings.
 */
import { type IncidentStatus, isOpen } from './incidents.ts';

export interface CadencePolicy {
  /** Next external update due this long after the last external publish; null: no cadence. */
  externalMs: number | null;
  internalMs: number | null;
  /** Target from detection (or declaration) to the first external notice. */
  firstExternalMs: number | null;
  /** The comms lead is reminded this long before an update is due. */
  remindBeforeMs: number;
  /** An update this late is overdue: the incident lead is told too. */
  overdueAfterMs: number;
}

export const defaultRemindBeforeMs = 5 * 60_000;
export const defaultOverdueAfterMs = 5 * 60_000;

export type CadenceAudience = 'external' | 'internal';

function plus(at: string, ms: number): string {
  return new Date(Date.parse(at) + ms).toISOString();
}

/** When the next update for an audience is due after one is published at `publishedAt`. */
export function nextDueAfterPublish(
  policy: CadencePolicy,
  audience: CadenceAudience,
  status: IncidentStatus,
  publishedAt: string,
): string | null {
  if (!isOpen(status)) return null;
  const every = audience === 'external' ? policy.externalMs : policy.internalMs;
  return every === null ? null : plus(publishedAt, every);
}

/** When the first external notice is due for an incident detected (or declared) at `from`. */
export function firstExternalDue(policy: CadencePolicy, from: string): string | null {
  return policy.firstExternalMs === null ? null : plus(from, policy.firstExternalMs);
}

/**
 * When the next external update is due after an incident's severity (and so
 * its cadence) changes: the new cadence counted from the last external
 * publish, or, before any, the new first-notice target from detection. A
 * deadline the new cadence has already passed stays in the past: the update
 * is overdue, and the overdue reminder goes out at once.
 */
export function dueAfterCadenceChange(
  policy: CadencePolicy,
  status: IncidentStatus,
  lastExternalAt: string | null,
  detectedAt: string,
): string | null {
  if (!isOpen(status)) return null;
  return lastExternalAt === null
    ? firstExternalDue(policy, detectedAt)
    : nextDueAfterPublish(policy, 'external', status, lastExternalAt);
}

export type ReminderStage = 'before_due' | 'due' | 'overdue';
type ReminderRecipient = 'comms_lead' | 'incident_lead';

export interface Reminder {
  stage: ReminderStage;
  at: string;
  /** The deadline it is about; a reminder whose deadline has moved on is dropped. */
  dueAt: string;
  notify: ReminderRecipient[];
}

/**
 * The reminders for one deadline: before it (to the comms lead), at it (to
 * the comms lead), and once overdue (to the comms lead and the incident
 * lead). Reminders already in the past at `now` are skipped, except the
 * latest one, so a deadline set late still reaches someone.
 */
export function remindersFor(policy: CadencePolicy, dueAt: string, now: string): Reminder[] {
  const all: Reminder[] = [
    { stage: 'before_due', at: plus(dueAt, -policy.remindBeforeMs), dueAt, notify: ['comms_lead'] },
    { stage: 'due', at: dueAt, dueAt, notify: ['comms_lead'] },
    {
      stage: 'overdue',
      at: plus(dueAt, policy.overdueAfterMs),
      dueAt,
      notify: ['comms_lead', 'incident_lead'],
    },
  ];
  const t = Date.parse(now);
  return all.filter((r) => Date.parse(r.at) > t || r.stage === 'overdue');
}

/** Whether a reminder still applies: its deadline is still the incident's deadline and the incident is open. */
export function reminderStillDue(
  reminder: { dueAt: string },
  currentDueAt: string | null,
  status: IncidentStatus,
) {
  return isOpen(status) && currentDueAt !== null && currentDueAt === reminder.dueAt;
}

export interface Adherence {
  updates_due: number;
  updates_on_time: number;
  /** on time / due, or null before any update fell due. */
  ratio: number | null;
}

/** Counts one external publish against the deadline it answered (if there was one). */
export function countPublish(
  before: { updates_due: number; updates_on_time: number },
  dueAt: string | null,
  publishedAt: string,
): Adherence {
  if (dueAt === null) return adherence(before.updates_due, before.updates_on_time);
  const onTime = Date.parse(publishedAt) <= Date.parse(dueAt) ? 1 : 0;
  return adherence(before.updates_due + 1, before.updates_on_time + onTime);
}

export function adherence(due: number, onTime: number): Adherence {
  return {
    updates_due: due,
    updates_on_time: onTime,
    ratio: due === 0 ? null : Math.round((onTime / due) * 1000) / 1000,
  };
}
