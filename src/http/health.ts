import type { FastifyPluginAsync } from 'fastify';
import { sql } from 'kysely';
import { migrationsCurrent } from '../store/db.ts';
import type { BaseCtx } from './auth.ts';

export interface HealthExtras {
  /** Checks shown in /readyz for information (the status page, its export); they do not make it fail. */
  informational?: () => Record<string, string>;
}

export function healthRoutes(deps: BaseCtx, extras: HealthExtras = {}): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async () => ({ status: 'ok' }));

    app.get('/readyz', async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        await sql`select 1`.execute(deps.db);
        checks.database = 'ok';
        checks.migrations = (await migrationsCurrent(deps.db)) ? 'ok' : 'pending';
      } catch (err) {
        checks.database = `unreachable: ${err instanceof Error ? err.message : String(err)}`;
      }
      const ready = Object.values(checks).every((v) => v === 'ok');
      Object.assign(checks, extras.informational?.());
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
    });
  };
}
