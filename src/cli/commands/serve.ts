/**
 * `crier serve` and `crier worker`, run. Both wait for the database at start (src/store/wait.ts)
 * and stop on SIGTERM or Ctrl-C, that wait included.
 */
import { createApp, createLogger, createWorker } from '../../app.ts';
import type { Config } from '../../config.ts';
import { serveWhileWaiting } from '../../http/waiting-http.ts';
import type { Db } from '../../store/db.ts';
import { DatabaseWaitAborted, waitForDatabase } from '../../store/wait.ts';
import { untilStopped } from '../signals.ts';
import { startTraces } from '../traces.ts';

/** The first stop signal, as an abort (which ends a wait for the database too) and a promise. */
function stopSignal(log: ReturnType<typeof createLogger>, message: string) {
  const stopping = new AbortController();
  const stopped = untilStopped().then((signal) => {
    log.info({ signal }, message);
    stopping.abort();
  });
  return { signal: stopping.signal, stopped };
}

/**
 * Serves at once: until the database answers (src/store/wait.ts), a stand-in on the same port
 * says the process is alive (/healthz) and why it is not ready (/readyz); the full server then
 * takes the port over.
 */
export async function serve(config: Config): Promise<void> {
  const log = createLogger(config);
  const traces = startTraces(config, log, 'serve');
  const { signal, stopped } = stopSignal(log, 'shutting down');
  let reason = 'unreachable: connecting';
  const waiting = await serveWhileWaiting({ host: config.host, port: config.port, reason: () => reason });
  let db: Db;
  try {
    db = await waitForDatabase(config.databaseUrl, {
      log,
      signal,
      onWaiting: (why) => {
        reason = why;
      },
      open: { log },
    });
  } catch (err) {
    await waiting.close();
    if (err instanceof DatabaseWaitAborted) return;
    throw err;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  let address: string;
  try {
    app = await createApp({ ...config, port: waiting.port }, { log, db, ownsDb: true });
    address = await app.listen({ reusePort: true });
  } finally {
    await waiting.close();
  }
  log.info({ address, database: config.databaseUrl.split(':')[0] }, 'Crier is serving');
  await stopped;
  await app.close();
  await traces?.shutdown();
}

/** A delivery worker alone on the configured database, drained on SIGTERM. */
export async function runWorker(config: Config): Promise<void> {
  const log = createLogger(config);
  const traces = startTraces(config, log, 'worker');
  const { signal, stopped } = stopSignal(log, 'draining');
  let worker: Awaited<ReturnType<typeof createWorker>>;
  try {
    worker = await createWorker(config, { log, signal });
  } catch (err) {
    if (err instanceof DatabaseWaitAborted) return;
    throw err;
  }
  log.info(
    { database: config.databaseUrl.split(':')[0], metrics: worker.metricsUrl },
    'crier worker running',
  );
  await stopped;
  await worker.close();
  await traces?.shutdown();
}
