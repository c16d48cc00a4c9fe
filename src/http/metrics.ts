/**
 * /metrics in the Prometheus text format: the worker's counters and
 * histograms (this process), and what the database says (all workers):
 * deliveries waiting or dead by channel and state, deliveries sent by
 * channel, jobs waiting.
 */
import type { FastifyInstance } from 'fastify';
import { type SqlBool, sql } from 'kysely';
import type { DeliveryMetrics } from '../delivery/metrics.ts';
import { label } from '../delivery/metrics.ts';
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

export async function databaseGauges(db: Db, now: Date): Promise<string> {
  const gauges = deliveryGaugeQueries(db);
  const [unsentRows, deadRows, sent, jobs, due] = await Promise.all([
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
      .where('next_attempt_at', '<=', now.toISOString())
      .executeTakeFirst(),
  ]);
  const lines = [
    '# HELP crier_deliveries Deliveries not sent yet (pending, sending, failed) or given up on (dead), by channel and state.',
    '# TYPE crier_deliveries gauge',
    ...[...unsentRows, ...deadRows].map(
      (r) =>
        `crier_deliveries{channel="${label(r.channel)}",state="${label(String(r.state))}"} ${Number(r.n)}`,
    ),
    '# HELP crier_deliveries_sent_total Deliveries sent, by channel, by every worker on this database.',
    '# TYPE crier_deliveries_sent_total counter',
    ...sent.map((r) => `crier_deliveries_sent_total{channel="${label(r.channel)}"} ${Number(r.n)}`),
    '# HELP crier_outbox_jobs Outbox jobs waiting, running or dead, by kind.',
    '# TYPE crier_outbox_jobs gauge',
    ...jobs.map((r) => `crier_outbox_jobs{kind="${label(r.kind)}",state="${label(r.state)}"} ${Number(r.n)}`),
    '# HELP crier_delivery_queue_depth Deliveries due now and not yet sent.',
    '# TYPE crier_delivery_queue_depth gauge',
    `crier_delivery_queue_depth ${Number(due?.n ?? 0)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** The whole /metrics text: this process's counters, then what the database says. */
export async function metricsText(
  db: Db,
  metrics: DeliveryMetrics,
  now: Date,
  extra: () => string = () => '',
): Promise<string> {
  return `${metrics.render()}${await databaseGauges(db, now)}${extra()}`;
}

/** The Prometheus text format's content type. */
export const metricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

export function metricsRoutes(
  db: Db,
  metrics: () => DeliveryMetrics,
  now: () => Date,
  /** More lines from other parts of the process (the status page's render and export counters). */
  extra: () => string = () => '',
) {
  return async (app: FastifyInstance) => {
    app.get('/metrics', async (_req, reply) => {
      const body = await metricsText(db, metrics(), now(), extra);
      return reply.type(metricsContentType).header('cache-control', 'no-store').send(body);
    });
  };
}
