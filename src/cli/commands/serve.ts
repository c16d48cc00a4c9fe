/**
 * `crier serve`, run: it waits for the database at start (src/store/wait.ts) and stops on
 * SIGTERM or Ctrl-C, that wait included. `crier worker` is worker-command.ts, apart, so that it
 * never loads the HTTP app this file builds.
 */
import { createApp } from '../../app.ts';
import type { Config } from '../../config.ts';
import { serveWhileWaiting } from '../../http/waiting-http.ts';
import { createLogger } from '../../logger.ts';
import type { Db } from '../../store/db.ts';
import { DatabaseWaitAborted, waitForDatabase } from '../../store/wait.ts';
import { stopSignal } from '../signals.ts';
import { startTraces } from '../traces.ts';

/**
 * Serves at once: until the database answers (src/store/wait.ts), a stand-in on the same port
 * says the process is alive (/healthz) and why it is not ready (/readyz); the full server then
 * takes the port over.
 */
export async function serve(config: Config): Promise<void> {
  const log = createLogger(config);
  const traces = await startTraces(config, log, 'serve');
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
