/**
 * Authentication and authorisation for the admin API: a bearer token or a
 * session cookie names the actor and role; each route names the action it
 * needs (route config `action`), checked before the body is even read. Both
 * go through the same permission table; an unsafe request with a cookie is
 * checked against CSRF first (src/http/session.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CrierError } from '../domain/errors.ts';
import { type Action, assertCan } from '../domain/permissions.ts';
import type { Actor, Ctx } from '../services/context.ts';
import { authenticate } from '../services/tokens/tokens.ts';
import { resolveSession, sessionActor } from '../services/users/sessions.ts';
import { assertSameOrigin, sessionSecret } from './session.ts';

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

/** Who sends this request: a token's holder or a signed-in person; null when nobody. */
async function actorOf(request: FastifyRequest, base: BaseCtx): Promise<Actor | null> {
  const requestId = String(request.id);
  const secret = bearer(request);
  if (secret !== null) {
    const who = await authenticate(base.db, secret, base.clock.now());
    if (who === null) throw new CrierError('unauthenticated', 'The API token is unknown or revoked.');
    return { id: `token:${who.name}`, role: who.role, source: request.ip, requestId };
  }
  const cookie = sessionSecret(request, base.config);
  if (cookie === null) return null;
  const user = await resolveSession(base.db, cookie, base.clock.now());
  if (user === null) return null;
  assertSameOrigin(request, base.config);
  return sessionActor(user, request.ip, requestId);
}

export function registerAuth(app: FastifyInstance, base: BaseCtx): void {
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.addHook('onRequest', async (request) => {
    const action = request.routeOptions.config.action;
    if (action === undefined) throw new CrierError('internal_error', 'This route declares no permission.');
    const actor = await actorOf(request, base);
    if (actor === null) {
      throw new CrierError(
        'unauthenticated',
        'Send an API token as "Authorization: Bearer <token>", or sign in at /console.',
      );
    }
    assertCan(actor.role, action);
    request.ctx = { ...base, log: base.log.child({ request_id: String(request.id) }), actor };
  });
}
