/**
 * The outbox: work that must happen because something committed. A service
 * writes a job through `tx` inside its own transaction, so the job exists if
 * and only if the change does; the worker (src/delivery/worker.ts) runs it.
 * This is the port services write to: they never import the worker.
 *
 * Jobs are fan-outs (one published update → deliveries to every matching
 * subscriber), timers (maintenance reminders; cadence reminders and approval
 * timeouts) and notices to internal channels. To add a kind: add its payload
 * to `JobPayloads` below and its handler to `jobHandlers` in
 * src/delivery/jobs.ts (the compiler lists what is missing).
 *
 *   await enqueueJob(tx, { kind: 'maintenance.reminder', runAt, payload: { maintenance_id }, dedupeKey })
 *   await sendToChannel(tx, 'slack-internal', { title, text, url })
 *
 * See docs/adr/0002-outbox.md.
 */

import { z } from 'zod';
import { traceparentNow } from '../channels/tracing.ts';
import type { CadenceAudience, ReminderStage } from '../domain/cadence.ts';
import type { Clock } from '../domain/clock.ts';
import type { Db } from './db.ts';
import { newId } from './ids.ts';
import { readJson } from './json.ts';

/** Where a job is written: a transaction's database handle and clock (a service's `tx`). */
export interface OutboxWriter {
  readonly db: Db;
  readonly clock: Clock;
  /** Set inside a transaction: callbacks to run once it commits. */
  readonly afterCommit?: (() => void)[];
}

/** A fan-out: one message to every confirmed subscriber of an audience whose components match. */
const FanoutPayload = z.object({
  subject_type: z.enum(['incident_update', 'maintenance', 'component_update']),
  /**
   * The update id; `<update id>:<component id>` for a component's change of status (sent to
   * webhook subscribers, as Statuspage does); `<maintenance id>:<event>:<sequence>` for maintenances.
   */
  subject_id: z.string(),
  incident_id: z.string().optional(),
  maintenance_id: z.string().optional(),
  /** For maintenances: scheduled | reminder | in_progress | completed. */
  event: z.string().optional(),
  audience: z.string(),
  /** Subscribers limited to components hear it when one of these is theirs; empty means everyone. */
  component_ids: z.array(z.string()),
  /** SMS subscribers hear it under the default rule (first and resolving update only). */
  sms_default: z.boolean(),
  drill: z.boolean(),
  /** Only these kinds of subscriber (component updates go to webhooks only); all when absent. */
  kinds: z.array(z.string()).optional(),
});
export type FanoutPayload = z.infer<typeof FanoutPayload>;

/** A short message to one configured channel (an internal Slack room, a webhook), not to subscribers. */
const NoticeMessage = z.object({
  title: z.string(),
  text: z.string(),
  url: z.string().optional(),
  /** `none` | `minor` | `major` | `critical` | `maintenance`, for colours in chat. */
  impact: z.string().optional(),
  /** About a drill: marked `[DRILL]` where it is read first. */
  drill: z.boolean().optional(),
  /** The drill it is about: a game day may have made the channel fail for that drill's messages. */
  drill_id: z.string().optional(),
});
export type NoticeMessage = z.infer<typeof NoticeMessage>;

/**
 * A reminder that an incident's next update falls due, to one channel. Its
 * words are written when it is sent (src/services/cadence/reminders.ts), so
 * it names whoever holds the roles then; it says nothing once the deadline
 * it is about has moved on.
 */
const CadenceReminder = z.object({
  incident_id: z.string(),
  audience: z.enum(['external', 'internal']) satisfies z.ZodType<CadenceAudience>,
  /** For an external deadline, whose: `public` when absent (reminders armed before deadlines were per audience). */
  external_audience: z.string().optional(),
  /** For the internal cadence, always `due`. */
  stage: z.enum(['before_due', 'due', 'overdue']) satisfies z.ZodType<ReminderStage>,
  due_at: z.string(),
  channel: z.string(),
});
export type CadenceReminder = z.infer<typeof CadenceReminder>;

/** Each kind of job and its payload, parsed with this schema when the worker reads it back. */
const jobPayloads = {
  fanout: FanoutPayload,
  'maintenance.reminder': z.object({ maintenance_id: z.string(), scheduled_for: z.string() }),
  'channel.notice': z.object({ channel: z.string(), message: NoticeMessage }),
  'cadence.reminder': CadenceReminder,
  /** The plan's approval timeout for one submission (round) of a draft (src/services/updates/approval-timeout.ts). */
  'approval.timeout': z.object({ incident_id: z.string(), update_id: z.string(), round: z.number() }),
  /** A person asked for a link to set their password (src/services/users/reset.ts); its secret is made as it is sent. */
  'password.link': z.object({ user_id: z.string(), requested_at: z.string() }),
  /** An alert fired or resolved: the plan's runbooks that match it run (src/services/runbooks/run.ts). */
  'runbook.alert': z.object({
    alert_id: z.string(),
    /** Only this runbook: its `for:` wait is over (absent: every runbook of the plan). */
    runbook: z.string().optional(),
  }),
  /** One step of a runbook's run (src/services/runbooks/execute.ts); the next is queued when it is done. */
  'runbook.step': z.object({
    run_id: z.string(),
    round: z.number().int(),
    phase: z.enum(['do', 'on_resolve']),
    position: z.number().int(),
  }),
  /** A message to one person on a subscriber channel kind (a page by email or SMS), not to subscribers. */
  'person.notice': z.object({
    via: z.enum(['email', 'sms', 'voice']),
    contact: z.string(),
    message: NoticeMessage,
  }),
  /**
   * An incident's chat room catches up (src/services/chat/sync.ts): made if it is not yet, role
   * holders invited, topic set, the timeline posted; `archive` once it is due to be archived.
   */
  'chat.room': z.object({ room: z.string(), archive: z.boolean().optional() }),
  /** The next event of a game day's script falls due (src/services/drills/game-day.ts). */
  'gameday.step': z.object({ game_day_id: z.string(), index: z.number() }),
  /** A game day of the plan is scheduled to start now, or its participants to be reminded of it. */
  /** A round of an open incident's sentiment watch (src/services/sentiment/watch.ts), again every `every`. */
  'sentiment.watch': z.object({ incident_id: z.string() }),
  'gameday.scheduled': z.object({ name: z.string(), at: z.string(), what: z.enum(['start', 'remind']) }),
};
export type JobPayloads = { [K in keyof typeof jobPayloads]: z.infer<(typeof jobPayloads)[K]> };
export type JobKind = keyof JobPayloads;

/** Whether `outbox_jobs.kind` is a kind this version knows. */
export const isJobKind = (kind: string): kind is JobKind => Object.hasOwn(jobPayloads, kind);

/** `outbox_jobs.payload`, parsed with its kind's schema; null for a kind this version does not know. */
export function jobPayloadOf<K extends JobKind>(kind: K, payload: string): JobPayloads[K];
export function jobPayloadOf(kind: string, payload: string): JobPayloads[JobKind] | null;
export function jobPayloadOf(kind: string, payload: string): JobPayloads[JobKind] | null {
  return isJobKind(kind) ? readJson(jobPayloads[kind], payload, `outbox_jobs.payload (${kind})`) : null;
}

export interface JobSpec<K extends JobKind> {
  kind: K;
  payload: JobPayloads[K];
  /** When the job is due (a timer); now by default. */
  runAt?: Date | string;
  /**
   * At most one job per key. A second enqueue with the same key does nothing,
   * unless `replace` is set: then a job not yet running is re-armed with the
   * new time and payload (moving a reminder).
   */
  dedupeKey?: string;
  replace?: boolean;
}

function iso(value: Date | string | undefined, tx: OutboxWriter): string {
  if (value === undefined) return tx.clock.now().toISOString();
  return typeof value === 'string' ? new Date(value).toISOString() : value.toISOString();
}

/**
 * Writes a job inside the caller's transaction (pass `tx`). Returns the job's
 * id, or null when a job with the same dedupe key already exists.
 */
export async function enqueueJob<K extends JobKind>(
  tx: OutboxWriter,
  spec: JobSpec<K>,
): Promise<string | null> {
  const now = tx.clock.now().toISOString();
  const id = newId();
  const row = {
    id,
    kind: spec.kind,
    payload: JSON.stringify(spec.payload),
    state: 'pending' as const,
    run_at: iso(spec.runAt, tx),
    attempts: 0,
    lease_until: null,
    locked_by: null,
    cursor: null,
    dedupe_key: spec.dedupeKey ?? null,
    last_error: null,
    created_at: now,
    updated_at: now,
    finished_at: null,
    // Its run joins the trace of whatever queued it (a request, a verb), when traces are on.
    traceparent: traceparentNow(),
  };
  if (spec.dedupeKey === undefined) {
    await tx.db.insertInto('outbox_jobs').values(row).execute();
    tx.afterCommit?.push(() => wakeWorkers());
    return id;
  }
  const inserted = await tx.db
    .insertInto('outbox_jobs')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) {
    tx.afterCommit?.push(() => wakeWorkers());
    return inserted.id;
  }
  if (!spec.replace) return null;
  const rearmed = await tx.db
    .updateTable('outbox_jobs')
    .set({
      payload: row.payload,
      run_at: row.run_at,
      state: 'pending',
      attempts: 0,
      cursor: null,
      last_error: null,
      finished_at: null,
      updated_at: now,
      traceparent: row.traceparent,
    })
    .where('dedupe_key', '=', spec.dedupeKey)
    .where('state', '!=', 'running')
    .returning('id')
    .executeTakeFirst();
  return rearmed?.id ?? null;
}

/** Cancels a pending job by its dedupe key (a reminder no longer needed). True if one was cancelled. */
export async function cancelJob(tx: OutboxWriter, dedupeKey: string): Promise<boolean> {
  const result = await tx.db
    .updateTable('outbox_jobs')
    .set({
      state: 'cancelled',
      updated_at: tx.clock.now().toISOString(),
      finished_at: tx.clock.now().toISOString(),
    })
    .where('dedupe_key', '=', dedupeKey)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Sends a notice to one configured channel (plan `channels:`), with the
 * worker's retries, inside the caller's transaction.
 */
export function sendToChannel(
  tx: OutboxWriter,
  channel: string,
  message: NoticeMessage,
): Promise<string | null> {
  return enqueueJob(tx, { kind: 'channel.notice', payload: { channel, message } });
}

// Workers in this process are woken when a job commits, rather than waiting for their next poll;
// on PostgreSQL, other processes' workers through the change notifier (change-notifier.ts).
const wakers = new Set<() => void>();
const announcers = new Set<() => void>();
export function onJobEnqueued(wake: () => void): () => void {
  wakers.add(wake);
  return () => wakers.delete(wake);
}
/** Called when a job queued in this process commits, to tell the other processes. */
export function onJobQueuedHere(announce: () => void): () => void {
  announcers.add(announce);
  return () => announcers.delete(announce);
}
function wakeWorkers(): void {
  for (const wake of wakers) wake();
  for (const announce of announcers) announce();
}
/**
 * A job this process's worker handed back to the table, due now (a fan-out
 * between its batches, docs/adr/0039-fan-out-passes-between-workers.md): the
 * other processes' workers are told, so one of them may take the next batch
 * at once rather than at its next poll. This process's own worker is not
 * woken: it waits for room in its lanes first.
 */
export function jobHandedBack(): void {
  for (const announce of announcers) announce();
}
/** Another process queued a job: this process's workers look now, and nobody is told again. */
export function jobQueuedElsewhere(): void {
  for (const wake of wakers) wake();
}
