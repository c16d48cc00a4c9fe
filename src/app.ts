/**
 * The composition root of `crier serve` and `crier worker`: configuration →
 * store → services → HTTP, the status page, timers and the delivery worker.
 * Everything a process needs is built here and nowhere else; the layers
 * below reach each other only through what this file hands them (the
 * worker, for one, calls the use cases through `deliveryServices`).
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { DeliveryMetrics } from './delivery/metrics.ts';
import type { DeliveryServices } from './delivery/ports.ts';
import { type Delivery, startDelivery } from './delivery/wiring.ts';
import type { WorkerOptions } from './delivery/worker.ts';
import type { Clock } from './domain/clock.ts';
import { connectionLimits, readDescriptorLimit } from './http/connection-limits.ts';
import { ConsoleEvents } from './http/console/live.ts';
import { LiveLimiter } from './http/live-limit.ts';
import { LiveEvents, PrivateLiveEvents } from './http/public/events.ts';
import { redactUrl } from './http/redact.ts';
import { buildServer, type CrierServer } from './http/server.ts';
import { serveWorkerHttp, type WorkerHttp } from './http/worker-http.ts';
import { chatOpsRoutes } from './ingest/chatops.ts';
import { ingestSecrets } from './ingest/grafana-signature.ts';
import { ingestWithReports } from './ingest/provider-reports.ts';
import { SnsVerifier } from './ingest/sns-verify.ts';
import { reminderNotice } from './services/cadence/reminders.ts';
import { keepRoom } from './services/chat/sync.ts';
import { type Ctx, systemActor, systemClock } from './services/context.ts';
import { seedDemoIfEmpty } from './services/demo.ts';
import { failingChannels, gameDayStep } from './services/drills/game-day.ts';
import { gameDayScheduled } from './services/drills/game-day-schedule.ts';
import { feedbackCode, feedbackKey } from './services/feedback/links.ts';
import { deliveryProgress } from './services/incidents/delivery-progress.ts';
import { maintenanceReminderDue } from './services/maintenances/remind.ts';
import { signedPageUrl } from './services/pages/links.ts';
import { type Periodic, startBackups, startMaintenanceTimer, startRetention } from './services/periodic.ts';
import { currentPlan, latestPlanVersion } from './services/plan/current.ts';
import { applyPlanFileAtStart, warnOfUnsupportedInForce } from './services/plan/startup.ts';
import { runRunbookStep } from './services/runbooks/execute.ts';
import { runRunbooks } from './services/runbooks/run.ts';
import { sentimentWatch } from './services/sentiment/watch.ts';
import { subjectMessage } from './services/subject-message.ts';
import { ensureBootstrapToken } from './services/tokens/tokens.ts';
import { publishUnapprovedIfStillPending } from './services/updates/approval-timeout.ts';
import { mintPasswordLink } from './services/users/reset.ts';
import type { StatusPage } from './statuspage/cache.ts';
import { startStatusPage } from './statuspage/wiring.ts';
import { startChangeNotifier } from './store/change-notifier.ts';
import { ChangeBus } from './store/changes.ts';
import { type Db, migrate, openDatabase } from './store/db.ts';
import { waitForDatabase } from './store/wait.ts';

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  /** An already open database (tests pass their own). */
  db?: Db;
  /** The database passed in is this app's: it listens on it for changes and closes it. */
  ownsDb?: boolean;
  /** Run the background timers (maintenance auto start and complete). Default true. */
  timers?: boolean;
  /**
   * PostgreSQL only: the URL the status page listens for other processes' changes on
   * (LISTEN/NOTIFY). Defaults to CRIER_DATABASE_URL; tests that pass their own db set it.
   */
  listenUrl?: string;
  /**
   * Run the delivery worker in this process. Default: CRIER_WORKER, and off
   * when `timers` is off (tests start one when they want one).
   */
  worker?: boolean;
  workerOptions?: WorkerOptions;
  /** How often to look for a plan applied by another process (ms); 0 turns the look off. */
  planPollMs?: number;
}

export interface App {
  readonly config: Config;
  readonly db: Db;
  readonly server: CrierServer;
  readonly changes: ChangeBus;
  /** A context acting as the system, for start-up work and timers. */
  readonly systemCtx: Ctx;
  /** The public status page's render cache (src/statuspage). */
  readonly statusPage: StatusPage;
  /** Channels, metrics and the in-process worker, if any. */
  readonly delivery: Delivery;
  /**
   * Listens on the configured host and port. `reusePort` lets it take over a port another
   * socket of this process still holds (the one that answered while the database was awaited).
   */
  listen(options?: { reusePort?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export function createLogger(config: Config, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    redact: ['req.headers.authorization', '*.token', '*.secret'],
    serializers: {
      req: (req: { method?: string; url?: string; ip?: string; id?: unknown }) => ({
        method: req.method,
        url: redactUrl(req.url ?? ''),
        remoteAddress: req.ip,
      }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config);
  const clock = options.clock ?? systemClock;
  const ownsDb = !options.db || options.ownsDb === true;
  const db = options.db ?? openDatabase(config.databaseUrl, { log });
  await migrate(db);
  const changes = new ChangeBus();
  const base = { db, clock, log, config, changes };
  const systemCtx: Ctx = { ...base, actor: systemActor };

  if (config.adminToken) await ensureBootstrapToken(systemCtx, config.adminToken);
  if (config.demo && (await seedDemoIfEmpty(systemCtx))) log.info('seeded the demo page on a new database');
  // Logs what it did: applied the file, or kept the version in force and why.
  await applyPlanFileAtStart(systemCtx);
  await warnOfUnsupportedInForce(systemCtx);

  const statusPage = await startStatusPage({
    ...base,
    listenUrl: options.listenUrl ?? (ownsDb ? config.databaseUrl : undefined),
  });
  const limits = connectionLimits(config.connections, readDescriptorLimit());
  for (const warning of limits.warnings) log.warn(warning);
  log.info(
    {
      descriptor_limit: limits.descriptorLimit,
      descriptor_limit_source: limits.descriptorSource,
      max_connections: limits.maxConnections,
      max_connections_per_address: limits.maxConnectionsPerAddress,
      live_streams_total: limits.live.total,
      live_streams_per_address: limits.live.perAddress,
    },
    'connection caps',
  );
  const liveLimiter = new LiveLimiter(limits.live);
  const liveEvents = new LiveEvents(statusPage.page, liveLimiter);
  const privateEvents = new PrivateLiveEvents(statusPage.page, liveLimiter);
  const consoleEvents = new ConsoleEvents({
    subscribe: (listener) => changes.subscribe(listener),
    limiter: liveLimiter,
    progress: (incidentId) => deliveryProgress(db, incidentId),
    onError: (err) => log.warn({ err }, 'console live stream could not read delivery progress'),
  });
  const delivery = await startDelivery(systemCtx, {
    services: deliveryServices(systemCtx),
    env: config.env,
    changes,
    runWorker: options.worker ?? (options.timers !== false && config.worker),
    ...(options.planPollMs !== undefined && { planPollMs: options.planPollMs }),
    worker: {
      leaseMs: config.workerLeaseMs,
      pollMs: config.workerPollMs,
      ...options.workerOptions,
    },
  });
  const ingestDeps = {
    ...ingestSecrets(config, clock),
    genericMapping: async () => (await currentPlan(db))?.ingest.generic,
    sns: new SnsVerifier({ allowedHosts: config.ingest.snsHosts, now: () => clock.now() }),
  };
  const server = await buildServer({
    ...base,
    delivery,
    consoleEvents,
    connections: limits,
    ingest: ingestWithReports(base, ingestDeps, () => delivery.inboundSigningKeys),
    chatops: chatOpsRoutes(base, { chatops: (name) => delivery.channels.rooms.get(name)?.chatops }),
    public: {
      statusPage: statusPage.page,
      liveEvents,
      privateEvents,
      checks: () => statusPage.checks(),
      metrics: [statusPage.registry, liveLimiter.registry],
    },
  });

  const duties: Periodic[] = [];
  if (options.timers !== false) duties.push(startMaintenanceTimer(systemCtx));
  if (options.timers !== false && (options.worker ?? config.worker))
    duties.push(startRetention(systemCtx), ...startBackups(systemCtx));

  return {
    config,
    db,
    server,
    changes,
    systemCtx,
    statusPage: statusPage.page,
    delivery,
    async listen(listenOptions = {}) {
      return server.listen({ port: config.port, host: config.host, ...listenOptions });
    },
    async close() {
      const stopping = Promise.all(duties.map((d) => d.stop()));
      liveEvents.close();
      privateEvents.close();
      consoleEvents.close();
      await server.close();
      // Drains: sends in flight finish and are recorded; claimed work is handed back.
      await delivery.close();
      await statusPage.close();
      await stopping;
      if (ownsDb) await db.destroy();
    },
  };
}

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
