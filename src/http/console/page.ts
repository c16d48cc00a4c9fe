/** What every console page shares: the page answer, form fields, and the context a request acts in. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../../services/context.ts';
import { type SessionUser, sessionActor } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { layout, type Page } from './html.ts';

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser: SessionUser | null;
  }
}

type Form = Record<string, string | string[] | undefined>;

export function field(body: unknown, name: string): string {
  const value = (body as Form | null)?.[name];
  return typeof value === 'string' ? value : '';
}

export function sendPage(reply: FastifyReply, status: number, page: Page): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(layout(page));
}

export function anonymousCtx(base: BaseCtx, request: FastifyRequest): Ctx {
  return {
    ...base,
    log: base.log.child({ request_id: String(request.id) }),
    actor: { id: 'public', role: 'viewer', source: request.ip, requestId: String(request.id) },
  };
}

/** The context a console page acts in: the signed-in person, under the same permission table as the API. */
export function personCtx(base: BaseCtx, request: FastifyRequest): Ctx {
  const user = request.consoleUser;
  if (user === null) throw new Error('personCtx outside a signed-in page');
  return {
    ...base,
    log: base.log.child({ request_id: String(request.id) }),
    actor: sessionActor(user, request.ip, String(request.id)),
  };
}
