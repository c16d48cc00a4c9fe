/**
 * Cadence, kept by the publishing transaction: each external publish sets
 * when the next update for its audience is due (the instant its words
 * name) and counts whether it came on time for that audience; reminders
 * are outbox timers (`cadence.reminder` jobs with a run time), one set per
 * audience, re-armed when its deadline moves and cancelled when there is
 * none; their words are written when they go off (reminders.ts). The comms
 * lead hears before and at the deadline; once overdue, the incident lead
 * hears too.
 */

import {
  countPublish,
  dueAfterCadenceChange,
  firstExternalDue,
  nextDueAfterPublish,
  type ReminderStage,
  remindersFor,
} from '../../domain/cadence.ts';
import { isOpen } from '../../domain/incidents.ts';
import { cadencePolicy, noticeChannels } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { cancelJob, enqueueJob } from '../../store/outbox.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { deadlinesOf, externalAudiences, readDeadline, writeDeadline } from './deadlines.ts';

const stages: readonly ReminderStage[] = ['before_due', 'due', 'overdue'];

/** The public audience's reminders keep the keys they had before deadlines were per audience. */
function reminderKey(incidentId: string, audience: string, stage: ReminderStage, channel: string): string {
  return audience === 'public'
    ? `cadence:${incidentId}:${stage}:${channel}`
    : `cadence:${incidentId}:${audience}:${stage}:${channel}`;
}

/**
 * Arms (or re-arms, or cancels when `dueAt` is null) the reminders for an
 * incident's next update to one external audience. What they say is written
 * when they are sent (reminders.ts), so they name whoever holds the roles by then.
 */
async function armReminders(
  tx: Ctx,
  plan: Plan,
  incident: IncidentRow,
  audience: string,
  dueAt: string | null,
): Promise<void> {
  const policy = cadencePolicy(plan, incident.severity, incident.drill_speed);
  const comms = noticeChannels(plan, 'comms_lead');
  const both = [...new Set([...comms, ...noticeChannels(plan, 'incident_lead')])];
  const reminders = dueAt === null ? [] : remindersFor(policy, dueAt, tx.clock.now().toISOString());
  for (const stage of stages) {
    const reminder = reminders.find((r) => r.stage === stage);
    const channels = stage === 'overdue' ? both : comms;
    for (const channel of both) {
      const key = reminderKey(incident.id, audience, stage, channel);
      if (!reminder || !channels.includes(channel)) {
        await cancelJob(tx, key);
        continue;
      }
      await enqueueJob(tx, {
        kind: 'cadence.reminder',
        runAt: reminder.at,
        payload: {
          incident_id: incident.id,
          audience: 'external',
          external_audience: audience,
          stage,
          due_at: reminder.dueAt,
          channel,
        },
        dedupeKey: key,
        replace: true,
      });
    }
  }
}

/**
 * The internal cadence: when the next internal update falls due, the incident
 * lead hears on their channel (re-armed on each internal publish, cancelled
 * when none is due any more).
 */
async function armInternalReminder(tx: Ctx, plan: Plan, incident: IncidentRow, dueAt: string | null) {
  for (const channel of noticeChannels(plan, 'incident_lead')) {
    const key = `cadence-internal:${incident.id}:${channel}`;
    if (dueAt === null) {
      await cancelJob(tx, key);
      continue;
    }
    await enqueueJob(tx, {
      kind: 'cadence.reminder',
      runAt: dueAt,
      payload: { incident_id: incident.id, audience: 'internal', stage: 'due', due_at: dueAt, channel },
      dedupeKey: key,
      replace: true,
    });
  }
}

/** Stores the internal deadline and re-arms (or cancels) its reminder. */
async function moveInternal(
  tx: Ctx,
  plan: Plan,
  incident: IncidentRow,
  due: string | null,
): Promise<IncidentRow> {
  await tx.db
    .updateTable('incidents')
    .set({ next_internal_update_due_at: due })
    .where('id', '=', incident.id)
    .execute();
  const moved = { ...incident, next_internal_update_due_at: due };
  await armInternalReminder(tx, plan, moved, due);
  return moved;
}

/** Stores an external audience's deadline and re-arms (or cancels) its reminders. */
async function moveExternal(
  tx: Ctx,
  plan: Plan,
  incident: IncidentRow,
  audience: string,
  due: string | null,
  counted?: { updates_due: number; updates_on_time: number },
): Promise<IncidentRow> {
  await writeDeadline(tx, incident.id, audience, due, counted);
  await armReminders(tx, plan, incident, audience, due);
  return audience === 'public' ? { ...incident, next_update_due_at: due } : incident;
}

/**
 * At declaration: the first notice to each external audience is due
 * `first_external_within` after detection, and the first internal update
 * one internal cadence after the declaration (the incident lead is reminded
 * then unless one is posted).
 */
export async function startCadence(tx: Ctx, incident: IncidentRow, plan: Plan | null): Promise<IncidentRow> {
  if (plan === null) return incident;
  const policy = cadencePolicy(plan, incident.severity, incident.drill_speed);
  const internalDue = nextDueAfterPublish(policy, 'internal', incident.status, incident.declared_at);
  let started = internalDue === null ? incident : await moveInternal(tx, plan, incident, internalDue);
  const due = firstExternalDue(policy, incident.detected_at ?? incident.declared_at);
  if (due === null) return started;
  for (const audience of externalAudiences(plan, incident.severity)) {
    started = await moveExternal(tx, plan, started, audience, due);
  }
  return started;
}

/** When the incident's last update for an audience was published, or null before any. */
async function lastPublishedAt(tx: Ctx, incidentId: string, audience: string): Promise<string | null> {
  const row = await tx.db
    .selectFrom('incident_updates')
    .select('published_at')
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'published')
    .where('audience', '=', audience)
    .orderBy('published_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.published_at ?? null;
}

/** The audiences an incident keeps a deadline for: its severity's, and any it kept before. */
async function audiencesOf(tx: Ctx, plan: Plan, incident: IncidentRow): Promise<string[]> {
  const kept = (await deadlinesOf(tx.db, [incident.id])).map((d) => d.audience);
  return [...new Set([...externalAudiences(plan, incident.severity), ...kept])];
}

/**
 * After the severity changes: each audience's deadline follows the new
 * severity's cadence, and the reminders are re-armed with its timings (or
 * cancelled). An audience the new severity no longer speaks to has none.
 */
export async function recadence(tx: Ctx, plan: Plan, incident: IncidentRow): Promise<IncidentRow> {
  const policy = cadencePolicy(plan, incident.severity, incident.drill_speed);
  const status = incident.status;
  // The internal cadence too: from the last internal publish, or the declaration before any.
  const internalDue = nextDueAfterPublish(
    policy,
    'internal',
    status,
    (await lastPublishedAt(tx, incident.id, 'internal')) ?? incident.declared_at,
  );
  let moved = await moveInternal(tx, plan, incident, internalDue);
  const speaking = externalAudiences(plan, incident.severity);
  for (const audience of await audiencesOf(tx, plan, incident)) {
    const last = await lastPublishedAt(tx, incident.id, audience);
    const due = speaking.includes(audience)
      ? dueAfterCadenceChange(policy, status, last, incident.detected_at ?? incident.declared_at)
      : null;
    moved = await moveExternal(tx, plan, moved, audience, due);
  }
  return moved;
}

/**
 * Step 3 of the publish pipeline: the deadline of the update's audience
 * becomes the one its publication set (`next_update_at`, the instant its
 * words name), and adherence is counted for that audience alone.
 */
export async function keepCadence(tx: Ctx, incident: IncidentRow, update: IncidentUpdateRow): Promise<void> {
  const plan = await currentPlan(tx.db);
  if (plan === null || update.state !== 'published' || update.published_at === null) return;
  const status = incident.status;
  if (update.audience === 'internal') {
    await moveInternal(tx, plan, incident, isOpen(status) ? update.next_update_at : null);
    if (isOpen(status)) return;
  } else {
    // The deadline this publish answers is the one stored before it; read it fresh, as it may have moved.
    const before = await readDeadline(tx.db, incident.id, update.audience);
    const counted = countPublish(before, before.due_at, update.published_at);
    await moveExternal(tx, plan, incident, update.audience, update.next_update_at, counted);
    if (isOpen(status)) return;
    await moveInternal(tx, plan, incident, null);
  }
  // Resolved: no update is due any more, to anyone.
  for (const audience of await audiencesOf(tx, plan, incident)) {
    if (audience !== update.audience) await moveExternal(tx, plan, incident, audience, null);
  }
}
