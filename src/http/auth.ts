/**
 * Authentication and authorisation for the admin API: a bearer token names
 * the actor and role; each route names the action it needs (route config
 * `action`), checked before the body is even read.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CrierError } from '../domain/errors.ts';
import { type Action, assertCan } from '../domain/permissions.ts';
import type { Ctx } from '../services/context.ts';
import { authenticate } from '../services/tokens/tokens.ts';

export type BaseCtx = Omit<Ctx, 'actor'>;

declare module 'fastify' {
  interface FastifyRequest {
    ctx: Ctx;
  }
  interface FastifyContextConfig {
    /** The permission the route requires; every admin route names one. */
    action?: Action;
  }
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}

export function registerAuth(app: FastifyInstance, base: BaseCtx): void {
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.addHook('onRequest', async (request) => {
    const action = request.routeOptions.config.action;
    if (action === undefined) throw new CrierError('internal_error', 'This route declares no permission.');
    const secret = bearer(request);
    if (secret === null) {
      throw new CrierError('unauthenticated', 'Send an API token as "Authorization: Bearer <token>".');
    }
    const who = await authenticate(base.db, secret, base.clock.now());
    if (who === null) throw new CrierError('unauthenticated', 'The API token is unknown or revoked.');
    assertCan(who.role, action);
    request.ctx = {
      ...base,
      log: base.log.child({ request_id: String(request.id) }),
      actor: { id: `token:${who.name}`, role: who.role, source: request.ip, requestId: String(request.id) },
    };
  });
}
