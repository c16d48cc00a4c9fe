/**
 * The log every Crier process writes (pino, JSON lines), apart from the composition roots so
 * that `crier worker` and the commands that only log need neither of them.
 */
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { redactUrl } from './http/redact.ts';

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
