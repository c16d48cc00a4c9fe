/** What every console page shares: the page answer, form fields, and the context a request acts in. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Ctx } from '../../services/context.ts';
import { type SessionUser, sessionActor } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { httpStatusOf } from '../errors.ts';
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

/** A refusal to show on the page (bad input, not allowed, not found); null for a fault, which the error page takes. */
export function refusal(err: unknown): { status: number; text: string } | null {
  if (err instanceof ZodError) return { status: 400, text: err.issues.map((i) => i.message).join(' ') };
  if (err instanceof CrierError && httpStatusOf[err.code] < 500) {
    return { status: httpStatusOf[err.code], text: err.message };
  }
  return null;
}

/** The page's notice after an action: a fixed text per key, so nothing from the address is echoed. */
export function noticeOf(done: Readonly<Record<string, string>>, key: string | undefined): Page['notice'] {
  return key !== undefined && Object.hasOwn(done, key)
    ? { kind: 'ok', text: done[key] as string }
    : undefined;
}

/**
 * Post/redirect/get for a screen: runs the action, then back to `to` with
 * `?done=key`; a refusal is shown on the same screen (`show`) with its
 * status, nothing changed.
 */
export async function actThenShow(
  reply: FastifyReply,
  to: string,
  key: string,
  run: () => Promise<unknown>,
  show: (status: number, notice: Page['notice']) => Promise<FastifyReply>,
): Promise<FastifyReply> {
  try {
    await run();
  } catch (err) {
    const refused = refusal(err);
    if (refused === null) throw err;
    return show(refused.status, { kind: 'error', text: refused.text });
  }
  return reply.redirect(`${to}?done=${key}`, 303);
}

/** Fields that repeat (checkboxes): every value, whether one or many were sent. */
export function fields(body: unknown, name: string): string[] {
  const value = (body as Form | null)?.[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}
