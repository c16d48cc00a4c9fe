/**
 * The outbox worker: a job loop (fan-outs, timers, notices) and one lane
 * per kind of subscriber (src/delivery/lane.ts). Several workers, in one
 * process or many, share the same tables; leases make a crashed worker's
 * work come back by itself. `stop()` drains: no new claims, sends in flight
 * finish and are recorded, claimed work not yet started is handed back.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { activeParent, inSpan, parentFrom } from '../channels/tracing.ts';
import { claimJobs } from '../store/deliveries.ts';
import { releaseJobs, renewJobLeases } from '../store/leases.ts';
import {
  isJobKind,
  type JobKind,
  type JobPayloads,
  jobHandedBack,
  jobPayloadOf,
  onJobEnqueued,
} from '../store/outbox.ts';
import type { OutboxJobRow } from '../store/schema.ts';
import { softBounceWindowMs } from '../store/suppressions.ts';
import type { ChannelSet } from './channel-set.ts';
import { FailingChannels } from './failing-channels.ts';
import { type JobContext, type JobHandler, jobHandlers, PermanentJobError } from './jobs.ts';
import { Lane } from './lane.ts';
import { HostPacer, retryDelay } from './limits.ts';
import type { DeliveryMetrics } from './metrics.ts';
import type { DeliveryServices, WorkerCtx } from './ports.ts';
import { Renderer } from './render.ts';
import { threaded } from './threads.ts';

export interface WorkerOptions {
  /**
   * How long a claim holds work before another worker may take it (ms). Renewed every quarter
   * lease while the worker lives, so this is how long a dead worker's work waits.
   */
  leaseMs?: number;
  /** How often an idle worker looks for due work (ms); commits in this process wake it sooner. */
  pollMs?: number;
  /** Deliveries claimed at once per lane, and outcomes written per transaction. */
  batchSize?: number;
  /** Subscribers expanded per fan-out transaction. */
  fanoutBatchSize?: number;
  /** How long a fan-out batch waits for room in the lanes the previous one was handed to (ms). */
  fanoutWaitMs?: number;
  flushMs?: number;
}

const jobRetry = { maxAttempts: 10, baseMs: 2_000, maxMs: 5 * 60_000 };

export class Worker {
  readonly id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  readonly #ctx: WorkerCtx;
  readonly #log: Logger;
  readonly #channels: ChannelSet;
  readonly #lanes: Lane[];
  readonly #jc: JobContext;
  readonly #leaseMs: number;
  readonly #pollMs: number;
  readonly #fanoutWaitMs: number;
  #stopping = false;
  #jobLoop: Promise<void> | null = null;
  #wakeJobs: (() => void) | null = null;
  /** Counts jobs enqueued in this process, so a claim that raced one does not sleep past it. */
  #enqueued = 0;
  #unsubscribe: (() => void) | null = null;
  /** The job running now, and the last fan-out job whose batch was handed to lanes, with those lanes. */
  #currentJob: string | null = null;
  #fed: { job: string | null; lanes: Lane[] } = { job: null, lanes: [] };
  /** Jobs claimed and not yet finished, whose leases the heartbeat renews. */
  readonly #heldJobs = new Set<string>();
  #heartbeat: NodeJS.Timeout | null = null;
  #beating: Promise<void> | null = null;

  constructor(
    ctx: WorkerCtx,
    services: DeliveryServices,
    channels: ChannelSet,
    metrics: DeliveryMetrics,
    options: WorkerOptions = {},
  ) {
    this.#ctx = ctx;
    this.#log = ctx.log.child({ worker: this.id });
    this.#channels = channels;
    this.#leaseMs = options.leaseMs ?? 8_000;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#fanoutWaitMs = options.fanoutWaitMs ?? 1_000;
    const renderer = new Renderer(services.subjectMessage, ctx.config.publicUrl, {
      signPrivate: services.privatePageLink,
      feedbackCodes: services.feedbackCode,
      pageLanguage: async () => (await services.planInForce())?.page?.language ?? 'en',
    });
    const failing = new FailingChannels(services.failingChannels, ctx.clock);
    const rate = ctx.config.deliveryHostRate;
    const hostPacer = rate > 0 ? new HostPacer(rate) : undefined;
    this.#lanes = [...channels.lanes.values()].map(
      (settings) =>
        // A social account's posts thread per incident (threads.ts).
        new Lane(
          settings.account
            ? { ...settings, channel: threaded(settings.channel, ctx.db, ctx.clock) }
            : settings,
          {
            hostPacer,
            db: ctx.db,
            clock: ctx.clock,
            log: this.#log,
            renderer,
            metrics,
            failing,
            softBounces: { limit: ctx.config.suppression.softBounceLimit, windowMs: softBounceWindowMs },
            leaseMs: this.#leaseMs,
            pollMs: this.#pollMs,
            batchSize: options.batchSize ?? 200,
            flushMs: options.flushMs ?? 50,
          },
        ),
    );
    this.#jc = {
      ctx,
      services,
      channels,
      metrics,
      fanoutBatchSize: options.fanoutBatchSize ?? 1000,
      failing,
      wakeLanes: () => {
        for (const lane of this.#lanes) lane.wake();
      },
      leaseMs: this.#leaseMs,
      lanesWithRoom: () =>
        new Set(
          this.#lanes.filter((lane) => !this.#stopping && lane.hasRoom()).map((lane) => lane.settings.key),
        ),
      handOff: (rows) => {
        this.#fed = { job: this.#currentJob, lanes: [] };
        // Their sends are children of the fan-out batch that leased them, when traces are on.
        const parent = activeParent();
        for (const lane of this.#lanes) {
          const mine = rows.filter((r) => r.channel === lane.settings.key);
          if (mine.length > 0) {
            lane.accept(mine, parent);
            this.#fed.lanes.push(lane);
          }
        }
      },
    };
  }

  start(): void {
    for (const lane of this.#lanes) lane.start();
    this.#unsubscribe = onJobEnqueued(() => {
      this.#enqueued++;
      this.#wakeJobs?.();
    });
    this.#jobLoop = this.#runJobs();
    this.#heartbeat = setInterval(() => void this.renewLeases(), Math.max(100, this.#leaseMs / 4));
    this.#heartbeat.unref();
    this.#log.info({ lanes: this.#lanes.map((l) => l.settings.key) }, 'delivery worker started');
  }

  /**
   * The heartbeat: pushes the lease of everything this worker holds (jobs it runs, deliveries
   * its lanes hold) a full lease ahead. One at a time; a failure (the database away) is logged and
   * the next beat tries again, while leases not renewed run out and the work goes to whoever is
   * there to take it.
   */
  renewLeases(): Promise<void> {
    if (this.#beating) return this.#beating;
    this.#beating = (async () => {
      const until = new Date(this.#ctx.clock.now().getTime() + this.#leaseMs);
      try {
        const jobs = [...this.#heldJobs];
        const renewed = new Set(await renewJobLeases(this.#ctx.db, this.id, jobs, until));
        for (const id of jobs) if (!renewed.has(id)) this.#heldJobs.delete(id);
        for (const lane of this.#lanes) await lane.renewLeases(until);
      } catch (err) {
        this.#log.warn({ err }, 'renewing leases failed');
      } finally {
        this.#beating = null;
      }
    })();
    return this.#beating;
  }

  /** Drains and stops. Safe to call more than once. */
  async stop(): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribe?.();
    this.#wakeJobs?.();
    await this.#jobLoop;
    // Jobs claimed and not started go back at once rather than wait out their lease.
    await releaseJobs(this.#ctx.db, this.id, [...this.#heldJobs], this.#ctx.clock.now()).catch(
      (err: unknown) => this.#log.warn({ err }, 'handing back claimed jobs failed'),
    );
    this.#heldJobs.clear();
    await Promise.all(this.#lanes.map((lane) => lane.stop()));
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    await this.#beating;
    await this.#channels.close();
    this.#log.info('delivery worker stopped');
  }

  async #runJobs(): Promise<void> {
    while (!this.#stopping) {
      // Between a fan-out's batches its job is back in the table. While this worker's lanes are
      // still full with the last batch it fed them, it waits before claiming, so another worker
      // (another process, on PostgreSQL) with room may take the job and send the next batch.
      await this.#roomForFanout(this.#fed.job);
      if (this.#stopping) break;
      let claimed = 0;
      const enqueued = this.#enqueued;
      try {
        const jobs = await claimJobs(this.#ctx.db, this.id, this.#ctx.clock.now(), this.#leaseMs, 10);
        claimed = jobs.length;
        for (const job of jobs) this.#heldJobs.add(job.id);
        for (const job of jobs) {
          if (this.#stopping) break;
          if (job.kind === 'fanout') await this.#roomForFanout(job.id);
          if (this.#stopping) break;
          this.#currentJob = job.id;
          await this.#runJob(job);
          this.#heldJobs.delete(job.id);
        }
      } catch (err) {
        this.#log.error({ err }, 'claiming jobs failed');
        // Held jobs are only ever this batch's; left here, they would be renewed for nothing.
        if (!this.#stopping) this.#heldJobs.clear();
      }
      if (claimed === 0 && !this.#stopping && this.#enqueued === enqueued) await this.#sleep();
    }
  }

  async #runJob(job: OutboxJobRow): Promise<void> {
    const db = this.#ctx.db;
    const now = () => this.#ctx.clock.now().toISOString();
    try {
      const kind = job.kind;
      if (!isJobKind(kind)) throw new PermanentJobError(`No handler for job kind "${kind}".`);
      // A child of the span that queued it (its traceparent), however long it waited in the table.
      const traced = { role: 'consumer' as const, parent: parentFrom(job.traceparent) };
      const attributes = {
        'crier.job.id': job.id,
        'crier.job.kind': kind,
        'crier.job.attempt': job.attempts,
      };
      const outcome = await inSpan(`job ${kind}`, { ...traced, attributes }, () =>
        handle(this.#jc, kind, job),
      );
      if ('done' in outcome) {
        if (this.#fed.job === job.id) this.#fed = { job: null, lanes: [] };
        await db
          .updateTable('outbox_jobs')
          .set({ state: 'done', finished_at: now(), updated_at: now(), lease_until: null, last_error: null })
          .where('id', '=', job.id)
          .execute();
      } else {
        await db
          .updateTable('outbox_jobs')
          .set({
            state: 'pending',
            run_at: (outcome.at ?? this.#ctx.clock.now()).toISOString(),
            attempts: 0,
            updated_at: now(),
            lease_until: null,
          })
          .where('id', '=', job.id)
          .execute();
        if (outcome.at === undefined) jobHandedBack();
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const dead = err instanceof PermanentJobError || job.attempts >= jobRetry.maxAttempts;
      this.#log.warn({ err, job: job.id, kind: job.kind, dead }, 'job failed');
      await db
        .updateTable('outbox_jobs')
        .set({
          state: dead ? 'dead' : 'pending',
          run_at: new Date(
            this.#ctx.clock.now().getTime() + retryDelay(jobRetry, job.attempts, undefined),
          ).toISOString(),
          last_error: message.slice(0, 500),
          updated_at: now(),
          lease_until: null,
          ...(dead && { finished_at: now() }),
        })
        .where('id', '=', job.id)
        .execute()
        .catch((e: unknown) => this.#log.error({ err: e }, 'recording a job failure failed'));
    }
  }

  /**
   * Paces a fan-out to the lanes its previous batch was handed to: the next batch waits (up to
   * `fanoutWaitMs`) until they have room, so it too goes to them already leased instead of
   * waiting in the table for a claim, which costs a write per row. The bound keeps a slow lane
   * from holding up the rows other workers could take.
   */
  async #roomForFanout(job: string | null): Promise<void> {
    if (job === null || this.#fed.job !== job) return;
    const full = this.#fed.lanes.filter((lane) => !lane.hasRoom());
    if (full.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(full.map((lane) => lane.whenRoom())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.#fanoutWaitMs);
        this.#wakeJobs = resolve;
      }),
    ]);
    clearTimeout(timer);
    this.#wakeJobs = null;
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#wakeJobs = null;
        resolve();
      };
      timer = setTimeout(done, this.#pollMs);
      this.#wakeJobs = done;
    });
  }
}

/** Runs a job of a known kind with its kind's handler. */
function handle<K extends JobKind>(jc: JobContext, kind: K, job: OutboxJobRow) {
  const handler: JobHandler<K> = jobHandlers[kind];
  return handler(jc, { ...job, payload: payloadOf(kind, job.payload) });
}

/** A job's payload as its kind's schema reads it; one that does not fit will never run, so it is not retried. */
function payloadOf<K extends JobKind>(kind: K, payload: string): JobPayloads[K] {
  try {
    return jobPayloadOf(kind, payload);
  } catch (err) {
    throw new PermanentJobError(err instanceof Error ? err.message : String(err));
  }
}
