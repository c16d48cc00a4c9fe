/**
 * The session cookie and the CSRF check, shared by the admin API and the
 * console. The cookie is HttpOnly, SameSite=Lax, and Secure when the public
 * URL is https; its value is a random secret the database knows by hash
 * (src/services/users/sessions.ts). An unsafe request that a cookie
 * authenticates must come from Crier's own origin (the Origin header, or
 * the Referer when a browser sends no Origin): a page elsewhere cannot
 * make a signed-in browser act.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { CrierError } from '../domain/errors.ts';
import { sessionLifetimeMs } from '../services/users/sessions.ts';

const sessionCookie = 'crier_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionSecret(request: FastifyRequest): string | null {
  const value = request.cookies[sessionCookie];
  return typeof value === 'string' && value.length > 0 ? value : null;
}

export function setSessionCookie(reply: FastifyReply, config: Config, secret: string): void {
  reply.setCookie(sessionCookie, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https:'),
    maxAge: sessionLifetimeMs / 1000,
  });
}

export function clearSessionCookie(reply: FastifyReply, config: Config): void {
  reply.clearCookie(sessionCookie, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: config.publicUrl.startsWith('https:'),
  });
}

function originOf(value: string | undefined): string | null {
  if (!value) return null;
  try {
    const origin = new URL(value).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/** Refuses an unsafe request whose origin is not Crier's own (the public URL's, or the one it was asked at). */
export function assertSameOrigin(request: FastifyRequest, config: Config): void {
  if (safeMethods.has(request.method)) return;
  const header = request.headers.origin;
  const origin =
    originOf(typeof header === 'string' ? header : undefined) ?? originOf(request.headers.referer);
  const allowed = [originOf(config.publicUrl), originOf(`${request.protocol}://${request.host}`)];
  if (origin === null || !allowed.includes(origin)) {
    throw new CrierError(
      'csrf_failed',
      'A request signed in with a cookie must come from Crier’s own pages (its Origin did not match).',
      { origin: origin ?? null },
    );
  }
}
