import type { FastifyPluginAsync } from 'fastify';
import { type Db, migrationsCurrent } from '../store/db.ts';
import { probeDatabase } from '../store/probe.ts';
import type { BaseCtx } from './auth.ts';

export interface HealthExtras {
  /** Checks shown in /readyz for information (the status page, its export); they do not make it fail. */
  informational?: () => Record<string, string>;
}

/**
 * Whether the database answers, takes writes and carries every migration: what /readyz
 * reports, naming the cause when it is not (`unreachable: ECONNREFUSED ...`,
 * `cannot write: SQLITE_FULL ...`).
 */
export async function readiness(db: Db): Promise<{ ready: boolean; checks: Record<string, string> }> {
  const database = await probeDatabase(db);
  const checks: Record<string, string> = { database };
  if (!database.startsWith('unreachable')) {
    checks.migrations = await migrationsCurrent(db).then(
      (current) => (current ? 'ok' : 'pending'),
      (err: unknown) => `unknown: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks };
}

export function healthRoutes(deps: BaseCtx, extras: HealthExtras = {}): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_req, reply) => {
      const { ready, checks } = await readiness(deps.db);
      Object.assign(checks, extras.informational?.());
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    });
  };
}
