/**
 * /metrics in the Prometheus text format (prom-client): the process's own
 * metrics, the worker's counters and histograms (this process), and what the
 * database says (all workers): deliveries waiting or dead by channel and
 * state, deliveries sent by channel, jobs waiting.
 */
import type { FastifyInstance } from 'fastify';
import { type SqlBool, sql } from 'kysely';
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { DeliveryMetrics } from '../delivery/metrics.ts';
import type { Db } from '../store/db.ts';
import { unsent } from '../store/deliveries.ts';

/**
 * Deliveries waiting (pending, failed, sending) and given up on (dead), by
 * channel and state. Both read partial indexes that hold only those rows,
 * so the cost follows the queue, not every delivery ever made.
 */
export function deliveryGaugeQueries(db: Db) {
  return {
    unsent: db
      .selectFrom('deliveries')
      .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where(unsent)
      .groupBy(['channel', 'state']),
    dead: db
      .selectFrom('deliveries')
      .select(['channel', sql.lit('dead').as('state'), (eb) => eb.fn.countAll<number>().as('n')])
      .where(sql<SqlBool>`state = 'dead'`)
      .groupBy('channel'),
  };
}

/**
 * The database's gauges, read at each scrape: what every worker on this database has
 * done and has left to do.
 */
function registerDatabaseGauges(database: () => Db, now: () => Date, registry: Registry): void {
  const deliveries = new Gauge({
    name: 'crier_deliveries',
    help: 'Deliveries not sent yet (pending, sending, failed) or given up on (dead), by channel and state.',
    labelNames: ['channel', 'state'] as const,
    registers: [registry],
    collect: read,
  });
  // A counter kept in the database (delivery_sent_counts), so each scrape sets it anew.
  const sent = new Counter({
    name: 'crier_deliveries_sent_total',
    help: 'Deliveries sent, by channel, by every worker on this database.',
    labelNames: ['channel'] as const,
    registers: [registry],
    collect: read,
  });
  const jobs = new Gauge({
    name: 'crier_outbox_jobs',
    help: 'Outbox jobs waiting, running or dead, by kind.',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    collect: read,
  });
  const depth = new Gauge({
    name: 'crier_delivery_queue_depth',
    help: 'Deliveries due now and not yet sent.',
    registers: [registry],
    collect: read,
  });
  // One read of the database per scrape, shared by the four metrics that report it.
  let reading: Promise<void> | undefined;
  function read(): Promise<void> {
    reading ??= (async () => {
      const db = database();
      const gauges = deliveryGaugeQueries(db);
      const [unsentRows, deadRows, sentRows, jobRows, due] = await Promise.all([
        gauges.unsent.execute(),
        gauges.dead.execute(),
        db.selectFrom('delivery_sent_counts').select(['channel', 'n']).orderBy('channel').execute(),
        db
          .selectFrom('outbox_jobs')
          .select(['kind', 'state', (eb) => eb.fn.countAll<number>().as('n')])
          .where('state', 'in', ['pending', 'running', 'dead'])
          .groupBy(['kind', 'state'])
          .execute(),
        db
          .selectFrom('deliveries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(unsent)
          .where('next_attempt_at', '<=', now().toISOString())
          .executeTakeFirst(),
      ]);
      deliveries.reset();
      for (const r of [...unsentRows, ...deadRows])
        deliveries.set({ channel: r.channel, state: String(r.state) }, Number(r.n));
      sent.reset();
      for (const r of sentRows) sent.inc({ channel: r.channel }, Number(r.n));
      jobs.reset();
      for (const r of jobRows) jobs.set({ kind: r.kind, state: r.state }, Number(r.n));
      depth.set(Number(due?.n ?? 0));
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  }
}

/** The database's gauges alone, as Prometheus text. */
export async function databaseGauges(db: Db, now: Date): Promise<string> {
  const registry = new Registry();
  registerDatabaseGauges(
    () => db,
    () => now,
    registry,
  );
  return registry.metrics();
}

let processRegistry: Registry | undefined;

/**
 * The standard process and Node.js metrics (CPU, memory, heap, event loop lag, GC, handles),
 * collected once per process however many servers it runs.
 */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * What /metrics answers: the process's metrics, the worker's counters, the database's
 * gauges, and those of other parts of the process (the status page, live streams).
 */
export function metricsSource(
  db: () => Db,
  metrics: () => DeliveryMetrics,
  now: () => Date,
  others: readonly Registry[] = [],
): () => Promise<string> {
  const database = new Registry();
  registerDatabaseGauges(db, now, database);
  return () => Registry.merge([processMetrics(), metrics().registry, database, ...others]).metrics();
}

/** The Prometheus text format's content type. */
export const metricsContentType = Registry.PROMETHEUS_CONTENT_TYPE;

export function metricsRoutes(read: () => Promise<string>) {
  return async (app: FastifyInstance) => {
    app.get('/metrics', async (_req, reply) => {
      const body = await read();
      return reply.type(metricsContentType).header('cache-control', 'no-store').send(body);
    });
  };
}
