/**
 * The composition root of `crier serve`: configuration → store → services →
 * HTTP, the status page, timers and the delivery worker (`crier worker` has
 * its own, src/worker.ts, which this one takes the worker's use cases from).
 * Everything a process needs is built here and nowhere else; the layers
 * below reach each other only through what this file hands them (the
 * worker, for one, calls the use cases through `deliveryServices`).
 */
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { type Delivery, startDelivery } from './delivery/wiring.ts';
import type { WorkerOptions } from './delivery/worker.ts';
import type { Clock } from './domain/clock.ts';
import { connectionLimits, readDescriptorLimit } from './http/connection-limits.ts';
import { ConsoleEvents } from './http/console/live.ts';
import { LiveLimiter } from './http/live-limit.ts';
import { LiveEvents, PrivateLiveEvents } from './http/public/events.ts';
import { buildServer, type CrierServer } from './http/server.ts';
import { chatOpsRoutes } from './ingest/chatops.ts';
import { ingestSecrets } from './ingest/grafana-signature.ts';
import { ingestWithReports } from './ingest/provider-reports.ts';
import { SnsVerifier } from './ingest/sns-verify.ts';
import { createLogger } from './logger.ts';
import { type Ctx, systemActor, systemClock } from './services/context.ts';
import { seedDemoIfEmpty } from './services/demo.ts';
import { deliveryProgress } from './services/incidents/delivery-progress.ts';
import { type Periodic, startBackups, startMaintenanceTimer, startRetention } from './services/periodic.ts';
import { currentPlan } from './services/plan/current.ts';
import { applyPlanFileAtStart, warnOfUnsupportedInForce } from './services/plan/startup.ts';
import { ensureBootstrapToken } from './services/tokens/tokens.ts';
import type { StatusPage } from './statuspage/cache.ts';
import { startStatusPage } from './statuspage/wiring.ts';
import { ChangeBus } from './store/changes.ts';
import { type Db, migrate, openDatabase } from './store/db.ts';
import { deliveryServices } from './worker.ts';

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
