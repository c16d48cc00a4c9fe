/** Waiting for the signal that stops a long-running command. */
import type { Logger } from 'pino';

/**
 * Resolves with the first SIGTERM or SIGINT. Ctrl-C under `npm start` delivers SIGINT twice
 * (the terminal's, and npm's forwarding of it): a repeat within two seconds is the same
 * request; a later one means "stop now" and exits at once.
 */
function untilStopped(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first = 0;
    const on = (signal: NodeJS.Signals) => {
      if (first === 0) {
        first = Date.now();
        resolve(signal);
      } else if (Date.now() - first > 2000) {
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** The first stop signal, logged, as an abort (which ends a wait for the database too) and a promise. */
export function stopSignal(log: Logger, message: string) {
  const stopping = new AbortController();
  const stopped = untilStopped().then((signal) => {
    log.info({ signal }, message);
    stopping.abort();
  });
  return { signal: stopping.signal, stopped };
}
