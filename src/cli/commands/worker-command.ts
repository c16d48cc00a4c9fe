/**
 * `crier worker`, run: a delivery worker alone on the configured database, built by its own
 * composition root (src/worker.ts), which loads no HTTP API, status page or console. It waits for
 * the database at start and drains on SIGTERM or Ctrl-C, that wait included.
 */
import type { Config } from '../../config.ts';
import { createLogger } from '../../logger.ts';
import { DatabaseWaitAborted } from '../../store/wait.ts';
import { createWorker } from '../../worker.ts';
import { stopSignal } from '../signals.ts';
import { startTraces } from '../traces.ts';

export async function runWorker(config: Config): Promise<void> {
  const log = createLogger(config);
  const traces = await startTraces(config, log, 'worker');
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
