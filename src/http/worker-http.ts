/**
 * What `crier worker` serves when `CRIER_WORKER_METRICS_PORT` is set:
 * `/metrics` (the counters only a worker keeps — send attempts, provider
 * latency, fan-out duration — with the database's gauges), `/healthz` and
 * `/readyz`, so a worker running apart from any `crier serve` can be
 * scraped and probed. Nothing else: a worker has no status page and no API,
 * so three fixed answers on plain node:http keep it apart from the API's
 * routes, hooks and authentication.
 */
import http from 'node:http';
import type { Logger } from 'pino';
import type { DeliveryMetrics } from '../delivery/metrics.ts';
import type { Db } from '../store/db.ts';
import { readiness } from './health.ts';
import { metricsContentType, metricsSource } from './metrics.ts';
import { metricsAuthorized, metricsChallenge } from './metrics-token.ts';
import { HTTP_TIMEOUTS } from './timeouts.ts';

export interface WorkerHttpOptions {
  host: string;
  port: number;
  /** The database, once it answers; until then, why it does not (the worker waits for it). */
  db: () => Db | { waiting: string };
  /** The running worker's counters (a plan reload replaces the worker, not these). */
  metrics: () => DeliveryMetrics;
  now: () => Date;
  log: Logger;
  /** CRIER_METRICS_TOKEN: when set, /metrics answers only a request that carries it. */
  metricsToken?: string | undefined;
}

export interface WorkerHttp {
  /** Where it listens, `http://host:port`. */
  readonly url: string;
  close(): Promise<void>;
}

type Answer = { status: number; type: string; body: string; challenge?: string };

const json = (status: number, value: unknown): Answer => ({
  status,
  type: 'application/json; charset=utf-8',
  body: JSON.stringify(value),
});

/** Should anything fail unforeseen: the scraper tries again; the worker goes on. */
const unavailable = json(503, { error: { code: 'unavailable', message: 'Try again shortly.' } });

async function answer(
  method: string,
  path: string,
  authorization: string | undefined,
  o: WorkerHttpOptions & { read: () => Promise<string> },
): Promise<Answer> {
  const known = path === '/metrics' || path === '/healthz' || path === '/readyz';
  if (!known) {
    return json(404, { error: { code: 'not_found', message: `No ${path.slice(0, 200)} here.` } });
  }
  if (method !== 'GET' && method !== 'HEAD')
    return json(405, { error: { code: 'method_not_allowed', message: `${path} takes GET.` } });
  if (path === '/healthz') return json(200, { status: 'ok' });
  const db = o.db();
  if (path === '/readyz') {
    const { ready, checks } =
      'waiting' in db ? { ready: false, checks: { database: db.waiting } } : await readiness(db);
    return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', checks });
  }
  if (!metricsAuthorized(authorization, o.metricsToken)) {
    const message = 'Send the metrics token as "Authorization: Bearer <token>".';
    return { ...json(401, { error: { code: 'unauthenticated', message } }), challenge: metricsChallenge };
  }
  try {
    if ('waiting' in db) throw new Error(db.waiting);
    return { status: 200, type: metricsContentType, body: await o.read() };
  } catch (err) {
    o.log.error({ err }, 'reading the metrics failed');
    return json(503, { error: { code: 'database_unavailable', message: 'The database did not answer.' } });
  }
}

export async function serveWorkerHttp(given: WorkerHttpOptions): Promise<WorkerHttp> {
  const database = () => {
    const db = given.db();
    if ('waiting' in db) throw new Error(db.waiting);
    return db;
  };
  const options = { ...given, read: metricsSource(database, given.metrics, given.now) };
  const server = http.createServer(HTTP_TIMEOUTS, (req, res) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    void answer(method, path, req.headers.authorization, options)
      .catch(() => unavailable)
      .then((a) => {
        res.writeHead(a.status, {
          'content-type': a.type,
          'content-length': Buffer.byteLength(a.body),
          'cache-control': 'no-store',
          ...(a.status === 405 && { allow: 'GET, HEAD' }),
          ...(a.challenge !== undefined && { 'www-authenticate': a.challenge }),
        });
        res.end(method === 'HEAD' ? undefined : a.body);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const listening = server.address();
  // Listening on a host and port, the server has an address of that shape (a pipe would be a string).
  if (listening === null || typeof listening === 'string')
    throw new Error('the metrics port is not a TCP port');
  const { address, port } = listening;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
