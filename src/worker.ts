/**
 * The composition root of `crier worker`: configuration → store → services →
 * the delivery worker, its timers and, when asked, its metrics port. It
 * imports no HTTP API, status page or console, so a worker's heap holds only
 * what it runs (docs/performance.md, "Scaling out"); `src/app.ts` builds
 * `crier serve` and takes `deliveryServices` from here, so both processes
 * hand the worker the same use cases.
 */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { DeliveryMetrics } from './delivery/metrics.ts';
import type { DeliveryServices } from './delivery/ports.ts';
import { type Delivery, startDelivery } from './delivery/wiring.ts';
import { serveWorkerHttp, type WorkerHttp } from './http/worker-http.ts';
import { createLogger } from './logger.ts';
import { reminderNotice } from './services/cadence/reminders.ts';
import { keepRoom } from './services/chat/sync.ts';
import { type Ctx, systemActor, systemClock } from './services/context.ts';
import { failingChannels, gameDayStep } from './services/drills/game-day.ts';
import { gameDayScheduled } from './services/drills/game-day-schedule.ts';
import { feedbackCode, feedbackKey } from './services/feedback/links.ts';
import { maintenanceReminderDue } from './services/maintenances/remind.ts';
import { signedPageUrl } from './services/pages/links.ts';
import { startBackups, startRetention } from './services/periodic.ts';
import { currentPlan, latestPlanVersion } from './services/plan/current.ts';
import { runRunbookStep } from './services/runbooks/execute.ts';
import { runRunbooks } from './services/runbooks/run.ts';
import { sentimentWatch } from './services/sentiment/watch.ts';
import { subjectMessage } from './services/subject-message.ts';
import { publishUnapprovedIfStillPending } from './services/updates/approval-timeout.ts';
import { mintPasswordLink } from './services/users/reset.ts';
import { startChangeNotifier } from './store/change-notifier.ts';
import { ChangeBus } from './store/changes.ts';
import type { Db } from './store/db.ts';
import { waitForDatabase } from './store/wait.ts';

/** The use cases the delivery worker calls, acting as `ctx`'s actor. */
export function deliveryServices(ctx: Ctx): DeliveryServices {
  return {
    subjectMessage: (type, id) => subjectMessage(ctx.db, ctx.config.publicUrl, type, id),
    privatePageLink: (subscriberId, url) => signedPageUrl(ctx.db, subscriberId, url, ctx.clock.now()),
    feedbackCode: async (updateId, subscriberId) =>
      feedbackCode(await feedbackKey(ctx.db), updateId, subscriberId),
    reminderNotice: (reminder) => reminderNotice(ctx, reminder),
    maintenanceReminderDue: (job) => maintenanceReminderDue(ctx, job),
    approvalTimedOut: (job) => publishUnapprovedIfStillPending(ctx, job).then(() => undefined),
    passwordLink: (job) => mintPasswordLink(ctx, job),
    alertChanged: (job) => runRunbooks(ctx, job.alert_id, job.runbook),
    runbookStep: (job) => runRunbookStep(ctx, job),
    keepRoom: (job, roomsOf) => keepRoom(ctx, job, roomsOf),
    gameDayStep: (job) => gameDayStep(ctx, job),
    gameDayScheduled: (job) => gameDayScheduled(ctx, job),
    ...sentimentWatch(ctx),
    failingChannels: (incidentId) => failingChannels(ctx, incidentId),
    planInForce: () => currentPlan(ctx.db),
    latestPlanVersion: () => latestPlanVersion(ctx.db),
  };
}

export interface WorkerProcess {
  readonly delivery: Delivery;
  /** Where its `/metrics`, `/healthz` and `/readyz` answer, when CRIER_WORKER_METRICS_PORT asks for them. */
  readonly metricsUrl: string | undefined;
  /** Drains: sends in flight finish and are recorded; claimed work goes back to the queue. */
  close(): Promise<void>;
}

/**
 * `crier worker`: a delivery worker alone on the configured database, with
 * the same store, services and delivery wiring as `crier serve`, and no API
 * or status page.
 */
export async function createWorker(
  config: Config,
  options: { log?: Logger; signal?: AbortSignal } = {},
): Promise<WorkerProcess> {
  const log = options.log ?? createLogger(config);
  // Listening comes first, so a port already taken stops the command before any work is claimed,
  // and /readyz says why while the database is awaited.
  let delivery: Delivery | undefined;
  const idle = new DeliveryMetrics();
  let served: WorkerHttp | undefined;
  let database: Db | { waiting: string } = { waiting: 'unreachable: connecting' };
  if (config.workerMetricsPort !== undefined) {
    const port = config.workerMetricsPort;
    const metrics = () => delivery?.metrics ?? idle;
    try {
      served = await serveWorkerHttp({
        host: config.host,
        port,
        db: () => database,
        metrics,
        now: () => systemClock.now(),
        log,
        metricsToken: config.metricsToken,
      });
    } catch (err) {
      const reason =
        (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new Error(`cannot serve the worker's metrics on ${config.host}:${port} (${reason})`);
    }
  }
  let db: Db;
  try {
    db = await waitForDatabase(config.databaseUrl, {
      log,
      ...(options.signal && { signal: options.signal }),
      onWaiting: (why) => {
        database = { waiting: why };
      },
      open: { log },
    });
  } catch (err) {
    await served?.close();
    throw err;
  }
  database = db;
  const changes = new ChangeBus();
  const ctx: Ctx = {
    db,
    clock: systemClock,
    log,
    config,
    changes,
    actor: { ...systemActor, id: 'worker', source: 'worker' },
  };
  // On PostgreSQL, a plan applied through a server reaches this worker's channels at once.
  const notifier = await startChangeNotifier({
    db,
    url: config.databaseUrl,
    changes,
    log,
    onReconnect: () => {},
  });
  const running = await startDelivery(ctx, {
    services: deliveryServices(ctx),
    env: config.env,
    changes,
    runWorker: true,
    worker: { leaseMs: config.workerLeaseMs, pollMs: config.workerPollMs },
  });
  delivery = running;
  const duties = [startRetention(ctx), ...startBackups(ctx)];
  return {
    delivery: running,
    metricsUrl: served?.url,
    async close() {
      const stopping = Promise.all(duties.map((d) => d.stop()));
      await running.close();
      // Scrapes still answer while the worker drains; the port closes once it has.
      await served?.close();
      await notifier?.close();
      await stopping;
      await db.destroy();
    },
  };
}
