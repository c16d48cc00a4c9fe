/**
 * What the worker does for each kind of job. Exhaustive over `JobKind`
 * (src/store/outbox.ts): a new kind does not compile until it has a
 * handler here. A handler returns `done`, or `again` to be called back (a
 * fan-out between batches); throwing retries the job with backoff.
 */
import { inSpan, tracedSend } from '../channels/tracing.ts';
import { type Channel, isSubscriberKind, type Target } from '../channels/types.ts';
import type { LeasedDelivery } from '../store/deliveries.ts';
import { expandBatch, insertBroadcasts } from '../store/fanout.ts';
import type { JobKind, JobPayloads, NoticeMessage } from '../store/outbox.ts';
import type { OutboxJobRow } from '../store/schema.ts';
import type { ChannelSet } from './channel-set.ts';
import type { FailingChannels } from './failing-channels.ts';
import { listenRound } from './listen.ts';
import type { DeliveryMetrics } from './metrics.ts';
import type { DeliveryServices, WorkerCtx } from './ports.ts';

export interface JobContext {
  ctx: WorkerCtx;
  services: DeliveryServices;
  channels: ChannelSet;
  metrics: DeliveryMetrics;
  fanoutBatchSize: number;
  /** Wakes the lanes after new deliveries were written. */
  wakeLanes(): void;
  /** Keys of the lanes in this worker that have room for more work right now. */
  lanesWithRoom(): ReadonlySet<string>;
  /** How long a claim lasts (ms). */
  leaseMs: number;
  /** Gives a lane deliveries this worker already holds the lease on. */
  handOff(rows: readonly LeasedDelivery[]): void;
  /** Channels game days made to fail for their drills' messages. */
  failing: FailingChannels;
}

/** A claimed job, its payload read with its kind's schema. */
interface ClaimedJob<K extends JobKind>
  extends Pick<OutboxJobRow, 'id' | 'cursor' | 'attempts' | 'created_at'> {
  payload: JobPayloads[K];
}

type JobOutcome = { done: true } | { again: true; at?: Date };

export type JobHandler<K extends JobKind> = (jc: JobContext, job: ClaimedJob<K>) => Promise<JobOutcome>;

/** A failure the job should not retry (a notice to a channel that does not exist). */
export class PermanentJobError extends Error {}

/**
 * A drill's notice on a channel a game day made to fail fails as in an
 * outage, before the provider is asked: the job is retried with backoff, as
 * any notice whose channel is down, and goes out once the failure ends.
 */
async function failForDrill(jc: JobContext, drillId: string | undefined, channel: string): Promise<void> {
  const failed = drillId === undefined ? null : await jc.failing.reason(drillId, channel);
  if (failed) throw new Error(failed);
}

async function sendNotice(
  jc: JobContext,
  jobId: string,
  name: string,
  message: NoticeMessage,
): Promise<JobOutcome> {
  const channel: Channel | undefined = jc.channels.channels.get(name);
  const target: Target | undefined = jc.channels.noticeTargets.get(name);
  if (!channel || !target) throw new PermanentJobError(`No channel "${name}" with a url in the plan.`);
  const { drill_id, ...words } = message;
  await failForDrill(jc, drill_id, name);
  const result = await tracedSend(channel, {}, undefined, () =>
    channel.send(target, { id: jobId, kind: 'notice', ...words }),
  );
  if (result.ok) return { done: true };
  if (!result.retry) throw new PermanentJobError(result.reason);
  throw new Error(result.reason);
}

/** A message to one person through a subscriber channel kind's provider (email, SMS, a call). */
async function sendToPerson(
  jc: JobContext,
  jobId: string,
  via: 'email' | 'sms' | 'voice',
  contact: string,
  message: NoticeMessage,
): Promise<JobOutcome> {
  const lane = jc.channels.lanes.get(via);
  if (!lane) throw new PermanentJobError(`No ${via} channel in the plan to send by.`);
  const { drill_id, ...words } = message;
  await failForDrill(jc, drill_id, lane.channel.name);
  const result = await tracedSend(lane.channel, {}, undefined, () =>
    lane.channel.send({ contact }, { id: jobId, kind: 'notice', ...words }),
  );
  if (result.ok) return { done: true };
  if (!result.retry) throw new PermanentJobError(result.reason);
  throw new Error(result.reason);
}

export const jobHandlers: { [K in JobKind]: JobHandler<K> } = {
  async fanout(jc, job) {
    const p = job.payload;
    const heard = jc.channels.lanesFor(p.audience);
    const lanes = [...jc.channels.lanes.values()]
      .filter((lane) => lane.updates === 'all' || p.sms_default)
      .filter((lane) => p.kinds === undefined || p.kinds.includes(lane.key))
      .filter((lane) => heard.has(lane.key))
      // Webhooks are customers' integrations: a drill never reaches them, whatever its audience lists.
      .filter((lane) => !(p.drill && lane.key === 'webhook'));
    const kinds = lanes.flatMap((lane) => (!lane.account && isSubscriberKind(lane.key) ? [lane.key] : []));
    const broadcasts = lanes.filter((lane) => lane.account).map((lane) => lane.key);
    // Lanes with room get their part of the batch already leased, without a claim of their own;
    // the rest is left for any worker to claim.
    const room = new Set([...jc.lanesWithRoom()].filter(isSubscriberKind).filter((k) => kinds.includes(k)));
    const now = jc.ctx.clock.now();
    const until = new Date(now.getTime() + jc.leaseMs);
    const attributes = { 'crier.subject.id': p.subject_id, 'crier.audience': p.audience };
    const batch = await inSpan('fanout batch', { attributes }, async (span) => {
      const written = await jc.ctx.db.transaction().execute(async (trx) => {
        // A broadcast's one delivery is written with the first batch (again after a crash: a no-op).
        const broadcast = job.cursor === null ? await insertBroadcasts(trx, p, broadcasts, now) : 0;
        const result = await expandBatch(trx, p, job.cursor, kinds, jc.fanoutBatchSize, now, {
          kinds: room,
          until,
        });
        await trx
          .updateTable('outbox_jobs')
          .set({ cursor: result.cursor })
          .where('id', '=', job.id)
          .execute();
        return { ...result, inserted: result.inserted + broadcast };
      });
      span.set({
        'crier.deliveries.written': written.inserted,
        'crier.deliveries.leased': written.leased.length,
      });
      // Only after the commit: a rolled-back batch must not have been sent.
      if (written.leased.length > 0) jc.handOff(written.leased);
      return written;
    });
    // Rows not handed over leased (a broadcast's among them) wait in the table for a claim.
    if (batch.inserted > batch.leased.length) jc.wakeLanes();
    if (batch.cursor !== null) return { again: true };
    jc.metrics.fanoutFinished((jc.ctx.clock.now().getTime() - Date.parse(job.created_at)) / 1000);
    return { done: true };
  },

  async 'maintenance.reminder'(jc, job) {
    await jc.services.maintenanceReminderDue(job.payload);
    return { done: true };
  },

  async 'channel.notice'(jc, job) {
    return sendNotice(jc, job.id, job.payload.channel, job.payload.message);
  },

  async 'cadence.reminder'(jc, job) {
    const message = await jc.services.reminderNotice(job.payload);
    // The deadline moved on or the incident closed since it was armed: nothing to say.
    if (message === null) return { done: true };
    return sendNotice(jc, job.id, job.payload.channel, message);
  },

  async 'approval.timeout'(jc, job) {
    await jc.services.approvalTimedOut(job.payload);
    return { done: true };
  },

  async 'password.link'(jc, job) {
    // The subscribers' email channel carries it; the secret is made only once there is one to send by.
    if (!jc.channels.lanes.has('email'))
      throw new PermanentJobError('No email channel in the plan to send a password link by.');
    const mail = await jc.services.passwordLink(job.payload);
    if (mail === null) return { done: true };
    return sendToPerson(jc, job.id, 'email', mail.to, mail.message);
  },

  async 'chat.room'(jc, job) {
    const kept = await jc.services.keepRoom(job.payload, (name) => jc.channels.rooms.get(name)?.rooms);
    switch (kept.outcome) {
      case 'done':
        return { done: true };
      case 'again':
        return { again: true, at: kept.at };
      case 'retry':
        throw new Error(kept.reason);
      case 'failed':
        throw new PermanentJobError(kept.reason);
    }
  },

  async 'runbook.alert'(jc, job) {
    await jc.services.alertChanged(job.payload);
    return { done: true };
  },

  async 'runbook.step'(jc, job) {
    await jc.services.runbookStep(job.payload);
    return { done: true };
  },

  async 'person.notice'(jc, job) {
    return sendToPerson(jc, job.id, job.payload.via, job.payload.contact, job.payload.message);
  },

  async 'gameday.step'(jc, job) {
    await jc.services.gameDayStep(job.payload);
    return { done: true };
  },

  'sentiment.watch': listenRound,

  async 'gameday.scheduled'(jc, job) {
    await jc.services.gameDayScheduled(job.payload);
    return { done: true };
  },
};
