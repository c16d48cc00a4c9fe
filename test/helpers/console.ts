/** Signing in to the console and posting its forms through `app.inject()`, as a browser would. */
import assert from 'node:assert/strict';
import type { TestApp } from './http.ts';

export const origin = 'http://localhost:8080';

/** Adds a user with the role and signs them in; returns their session cookie. */
export async function signedIn(t: TestApp, email: string, role: string): Promise<string> {
  const password = `${role} password here`;
  const add = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: t.auth('admin'),
    payload: { email, role, password },
  });
  assert.equal(add.statusCode, 201, add.body);
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/console/sign-in',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    payload: new URLSearchParams({ email, password }).toString(),
  });
  assert.equal(res.statusCode, 303, res.body);
  return String(res.headers['set-cookie']).split(';')[0] as string;
}

/** A form post from the console's own origin, with the session cookie. */
export function form(cookie: string, url: string, fields: Record<string, string> = {}) {
  return {
    method: 'POST' as const,
    url,
    headers: { cookie, origin, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(fields).toString(),
  };
}
