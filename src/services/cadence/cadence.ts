/**
 * Cadence, kept by the publishing transaction: each external publish sets
 * when the next one is due and counts whether it came on time; reminders
 * are outbox timers (`cadence.reminder` jobs with a run time), re-armed when
 * the deadline moves and cancelled when there is none; their words are
 * written when they go off (reminders.ts). The comms lead hears before and
 * at the deadline; once overdue, the incident lead hears too.
 */

import {
  type CadenceAudience,
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

const stages: readonly ReminderStage[] = ['before_due', 'due', 'overdue'];

function reminderKey(incidentId: string, stage: ReminderStage, channel: string): string {
  return `cadence:${incidentId}:${stage}:${channel}`;
}

/**
 * Arms (or re-arms, or cancels when `dueAt` is null) the reminders for an
 * incident's next external update. What they say is written when they are
 * sent (reminders.ts), so they name whoever holds the roles by then.
 */
async function armReminders(tx: Ctx, plan: Plan, incident: IncidentRow, dueAt: string | null): Promise<void> {
  const policy = cadencePolicy(plan, incident.severity);
  const comms = noticeChannels(plan, 'comms_lead');
  const both = [...new Set([...comms, ...noticeChannels(plan, 'incident_lead')])];
  const reminders = dueAt === null ? [] : remindersFor(policy, dueAt, tx.clock.now().toISOString());
  for (const stage of stages) {
    const reminder = reminders.find((r) => r.stage === stage);
    const channels = stage === 'overdue' ? both : comms;
    for (const channel of both) {
      if (!reminder || !channels.includes(channel)) {
        await cancelJob(tx, reminderKey(incident.id, stage, channel));
        continue;
      }
      await enqueueJob(tx, {
        kind: 'cadence.reminder',
        runAt: reminder.at,
        payload: { incident_id: incident.id, audience: 'external', stage, due_at: reminder.dueAt, channel },
        dedupeKey: reminderKey(incident.id, stage, channel),
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

/** Stores an audience's next deadline and re-arms (or cancels) its reminders. */
async function moveDeadline(
  tx: Ctx,
  plan: Plan,
  incident: IncidentRow,
  audience: CadenceAudience,
  due: string | null,
): Promise<IncidentRow> {
  const change = audience === 'external' ? { next_update_due_at: due } : { next_internal_update_due_at: due };
  await tx.db.updateTable('incidents').set(change).where('id', '=', incident.id).execute();
  const moved = { ...incident, ...change };
  if (audience === 'external') await armReminders(tx, plan, moved, due);
  else await armInternalReminder(tx, plan, moved, due);
  return moved;
}

/**
 * At declaration: the first external notice is due `first_external_within`
 * after detection, and the first internal update one internal cadence after
 * the declaration (the incident lead is reminded then unless one is posted).
 */
export async function startCadence(tx: Ctx, incident: IncidentRow, plan: Plan | null): Promise<IncidentRow> {
  if (plan === null) return incident;
  const policy = cadencePolicy(plan, incident.severity);
  const internalDue = nextDueAfterPublish(policy, 'internal', incident.status, incident.declared_at);
  const started =
    internalDue === null ? incident : await moveDeadline(tx, plan, incident, 'internal', internalDue);
  const due = firstExternalDue(policy, incident.detected_at ?? incident.declared_at);
  if (due === null) return started;
  return moveDeadline(tx, plan, started, 'external', due);
}

/** When the incident's last update for an audience was published, or null before any. */
async function lastPublishedAt(
  tx: Ctx,
  incidentId: string,
  audience: CadenceAudience,
): Promise<string | null> {
  const row = await tx.db
    .selectFrom('incident_updates')
    .select('published_at')
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'published')
    .where('audience', audience === 'internal' ? '=' : '!=', 'internal')
    .orderBy('published_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.published_at ?? null;
}

/**
 * After the severity changes: the deadline follows the new severity's
 * cadence, and the reminders are re-armed with its timings (or cancelled).
 */
export async function recadence(tx: Ctx, plan: Plan, incident: IncidentRow): Promise<IncidentRow> {
  const last = await lastPublishedAt(tx, incident.id, 'external');
  const policy = cadencePolicy(plan, incident.severity);
  const status = incident.status;
  const due = dueAfterCadenceChange(policy, status, last, incident.detected_at ?? incident.declared_at);
  // The internal cadence too: from the last internal publish, or the declaration before any.
  const internalDue = nextDueAfterPublish(
    policy,
    'internal',
    status,
    (await lastPublishedAt(tx, incident.id, 'internal')) ?? incident.declared_at,
  );
  const moved = await moveDeadline(tx, plan, incident, 'internal', internalDue);
  return moveDeadline(tx, plan, moved, 'external', due);
}

/** Step 3 of the publish pipeline: move the deadline for the update's audience and count adherence. */
export async function keepCadence(tx: Ctx, incident: IncidentRow, update: IncidentUpdateRow): Promise<void> {
  const plan = await currentPlan(tx.db);
  if (plan === null || update.state !== 'published' || update.published_at === null) return;
  const policy = cadencePolicy(plan, incident.severity);
  const status = incident.status;
  if (update.audience === 'internal') {
    await moveDeadline(
      tx,
      plan,
      incident,
      'internal',
      nextDueAfterPublish(policy, 'internal', status, update.published_at),
    );
    return;
  }
  // The deadline this publish answers is the one stored before it; read it fresh, as it may have moved.
  const before = await tx.db
    .selectFrom('incidents')
    .select(['next_update_due_at', 'cadence_due', 'cadence_on_time'])
    .where('id', '=', incident.id)
    .executeTakeFirstOrThrow();
  const counted = countPublish(
    { updates_due: before.cadence_due, updates_on_time: before.cadence_on_time },
    before.next_update_due_at,
    update.published_at,
  );
  const due = nextDueAfterPublish(policy, 'external', status, update.published_at);
  await tx.db
    .updateTable('incidents')
    .set({
      next_update_due_at: due,
      cadence_due: counted.updates_due,
      cadence_on_time: counted.updates_on_time,
    })
    .where('id', '=', incident.id)
    .execute();
  await armReminders(tx, plan, { ...incident, next_update_due_at: due }, due);
  // Resolved: no internal update is due any more either.
  if (!isOpen(status)) await moveDeadline(tx, plan, incident, 'internal', null);
}
