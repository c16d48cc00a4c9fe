/**
 * The session cookie and the CSRF check, shared by the admin API and the
 * console. The cookie is HttpOnly, SameSite=Lax, and Secure when the public
 * URL is https; its value is a random secret the database knows by hash
 * (src/services/users/sessions.ts), sealed with CRIER_SECRET_KEY when one is
 * set (docs/adr/0023-keys-that-rotate.md): a previous key still opens the
 * sessions it sealed, and a cookie no key sealed names no session. An unsafe request that a cookie
 * authenticates must come from Crier's own origin (the Origin header, or
 * the Referer when a browser sends no Origin): a page elsewhere cannot
 * make a signed-in browser act.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { CrierError } from '../domain/errors.ts';
import { Keyring } from '../domain/signing.ts';
import { sessionLifetimeMs } from '../services/users/sessions.ts';

const sessionCookie = 'crier_session';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const purpose = 'session';
const keyrings = new WeakMap<Config, Keyring | null>();

function keyringOf(config: Config): Keyring | null {
  let keyring = keyrings.get(config);
  if (keyring === undefined) {
    keyring = Keyring.of(config);
    keyrings.set(config, keyring);
  }
  return keyring;
}

/**
 * The session secret a request's cookie carries; null without a cookie. A cookie whose seal
 * no key verifies gives the empty string: it names no session, and the console can still say
 * that the session ended.
 */
export function sessionSecret(request: FastifyRequest, config: Config): string | null {
  const value = request.cookies[sessionCookie];
  if (typeof value !== 'string' || value.length === 0) return null;
  const keyring = keyringOf(config);
  if (keyring === null) return value;
  return keyring.unseal(purpose, value) ?? '';
}

export function setSessionCookie(reply: FastifyReply, config: Config, secret: string): void {
  reply.setCookie(sessionCookie, keyringOf(config)?.seal(purpose, secret) ?? secret, {
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
