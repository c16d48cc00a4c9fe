/**
 * People and sessions through HTTP: an admin adds a user, the invitation
 * sets a password once, sign-in answers alike for an unknown email and a
 * wrong password, the session cookie authenticates the admin API under the
 * same permission table as a token, CSRF is refused, and sessions end (sign
 * out, everywhere, idle, absolute). Both databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sessionIdleMs, signInLimits } from '../../src/services/users/sessions.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

const origin = 'http://localhost:8080';
const form = (fields: Record<string, string>) => ({
  'content-type': 'application/x-www-form-urlencoded',
  origin,
  payload: new URLSearchParams(fields).toString(),
});

async function post(
  t: TestApp,
  url: string,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
) {
  const { payload, ...formHeaders } = form(fields);
  return t.app.server.inject({ method: 'POST', url, payload, headers: { ...formHeaders, ...headers } });
}

function sessionCookieOf(res: { headers: Record<string, unknown> }): string {
  const raw = res.headers['set-cookie'];
  const line = (Array.isArray(raw) ? raw : [raw]).find((c) => String(c).startsWith('crier_session='));
  assert.ok(line, 'no session cookie was set');
  return String(line);
}

async function addUser(t: TestApp, email: string, role: string, password?: string) {
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: t.auth('admin'),
    payload: { email, role, ...(password && { password }) },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; email: string; state: string; invitation_url: string | null };
}

async function signIn(t: TestApp, email: string, password: string): Promise<string> {
  const res = await post(t, '/console/sign-in', { email, password });
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, '/console');
  const cookie = sessionCookieOf(res);
  return (cookie.split(';')[0] as string).trim();
}

for (const dialect of dialects) {
  test(`an invitation sets a password once; sign-in answers alike for unknown and wrong [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const user = await addUser(t, ' Carol@Acme.example ', 'comms_lead');
      assert.equal(user.email, 'carol@acme.example');
      assert.equal(user.state, 'invited');
      const twice = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: t.auth('admin'),
        payload: { email: 'carol@acme.example', role: 'viewer' },
      });
      assert.equal(twice.statusCode, 409);
      assert.equal(twice.json().error.code, 'user_exists');
      assert.match(user.invitation_url ?? '', /^http:\/\/localhost:8080\/console\/invitation\/[\w-]{40,}$/);
      const path = new URL(user.invitation_url as string).pathname;

      const page = await t.app.server.inject({ method: 'GET', url: path });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /carol@acme\.example/);
      assert.equal(page.headers['referrer-policy'], 'no-referrer');

      const short = await post(t, path, { password: 'short', confirm: 'short' });
      assert.equal(short.statusCode, 400);
      assert.match(short.body, /at least 12 characters/);
      const set = await post(t, path, {
        password: 'correct horse battery',
        confirm: 'correct horse battery',
      });
      assert.equal(set.statusCode, 200);
      assert.match(set.body, /Your password is set/);
      const again = await post(t, path, {
        password: 'another horse battery',
        confirm: 'another horse battery',
      });
      assert.equal(again.statusCode, 404, 'an invitation works once');

      const listed = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: t.auth('admin'),
      });
      assert.equal((listed.json() as { state: string }[])[0]?.state, 'active');

      const wrong = await post(t, '/console/sign-in', {
        email: 'carol@acme.example',
        password: 'wrong horse battery',
      });
      const unknown = await post(t, '/console/sign-in', {
        email: 'nobody@acme.example',
        password: 'wrong horse battery',
      });
      assert.equal(wrong.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      const message = (body: string) => /<p class="notice error"[^>]*>([^<]*)</.exec(body)?.[1];
      assert.equal(message(wrong.body), 'The email or the password is wrong.');
      assert.equal(message(unknown.body), message(wrong.body));
      assert.equal(wrong.headers['set-cookie'], undefined);

      const ok = await post(t, '/console/sign-in', {
        email: 'CAROL@acme.example',
        password: 'correct horse battery',
      });
      assert.equal(ok.statusCode, 303);
      const cookie = sessionCookieOf(ok);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Lax/);
      assert.match(cookie, /Path=\//);
      assert.doesNotMatch(cookie, /Secure/, 'not Secure on a plain-http public URL');

      const audit = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/audit?action=user.sign_in',
        headers: t.auth('admin'),
      });
      assert.equal((audit.json() as { actor: string }[])[0]?.actor, 'user:carol@acme.example');
    } finally {
      await t.close();
    }
  });

  test(`a session authenticates the admin API under the permission table, and CSRF is refused [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      await addUser(t, 'vera@acme.example', 'viewer', 'viewer password 1');
      await addUser(t, 'carol@acme.example', 'comms_lead', 'comms password 1');
      const viewer = await signIn(t, 'vera@acme.example', 'viewer password 1');
      const comms = await signIn(t, 'carol@acme.example', 'comms password 1');

      const me = await t.app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: comms } });
      assert.deepEqual(me.json(), {
        actor: 'user:carol@acme.example',
        role: 'comms_lead',
        user_id: me.json().user_id,
      });
      assert.ok(me.json().user_id);

      const create = (cookie: string, headers: Record<string, string> = { origin }) =>
        t.app.server.inject({
          method: 'POST',
          url: '/api/v1/components',
          headers: { cookie, ...headers },
          payload: { name: 'API' },
        });
      const refused = await create(viewer);
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().error.code, 'forbidden');
      const made = await create(comms);
      assert.equal(made.statusCode, 201, made.body);

      const users = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/users',
        headers: { cookie: comms },
      });
      assert.equal(users.statusCode, 403, 'only admins manage users');

      const forgeries: Record<string, string>[] = [
        {},
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { referer: 'https://evil.example/x' },
      ];
      for (const headers of forgeries) {
        const forged = await create(comms, headers);
        assert.equal(forged.statusCode, 403, JSON.stringify(headers));
        assert.equal(forged.json().error.code, 'csrf_failed');
      }
      const viaReferer = await create(comms, { referer: `${origin}/console` });
      assert.equal(viaReferer.statusCode, 201, 'a same-origin Referer stands in for a missing Origin');
      const forgedSignOut = await t.app.server.inject({
        method: 'POST',
        url: '/console/sign-out-everywhere',
        headers: {
          cookie: comms,
          origin: 'https://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
        payload: '',
      });
      assert.equal(forgedSignOut.statusCode, 403);

      // A bearer token is not a browser's ambient credential: no Origin needed.
      const byToken = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/components',
        headers: t.auth('admin'),
        payload: { name: 'Web' },
      });
      assert.equal(byToken.statusCode, 201);

      const components = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/audit?action=component.create',
        headers: t.auth('admin'),
      });
      assert.ok(
        (components.json() as { actor: string }[]).some((e) => e.actor === 'user:carol@acme.example'),
      );
    } finally {
      await t.close();
    }
  });

  test(`sessions end: sign out, everywhere, idle, absolute, removal [${dialect.name}]`, async () => {
    const clock = new TestClock();
    const t = await startTestApp(dialect, { clock });
    try {
      await addUser(t, 'carol@acme.example', 'comms_lead', 'comms password 1');
      const me = (cookie: string) =>
        t.app.server.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
      const page = (cookie: string) =>
        t.app.server.inject({ method: 'GET', url: '/console', headers: { cookie } });

      const a = await signIn(t, 'carol@acme.example', 'comms password 1');
      assert.equal((await page(a)).statusCode, 200);
      const out = await post(t, '/console/sign-out', {}, { cookie: a });
      assert.equal(out.statusCode, 303);
      assert.match(String(out.headers['set-cookie']), /crier_session=;/);
      assert.equal((await me(a)).statusCode, 401);
      const ended = await page(a);
      assert.equal(ended.statusCode, 303);
      assert.equal(ended.headers.location, '/console/sign-in?ended=1');

      const phone = await signIn(t, 'carol@acme.example', 'comms password 1');
      const laptop = await signIn(t, 'carol@acme.example', 'comms password 1');
      const everywhere = await t.app.server.inject({
        method: 'DELETE',
        url: '/api/v1/me/sessions',
        headers: { cookie: laptop, origin },
      });
      assert.deepEqual(everywhere.json(), { ended: 2 });
      assert.equal((await me(phone)).statusCode, 401);

      const idle = await signIn(t, 'carol@acme.example', 'comms password 1');
      clock.advance(sessionIdleMs - 60_000);
      assert.equal((await me(idle)).statusCode, 200, 'used just before the idle limit');
      clock.advance(sessionIdleMs - 60_000);
      assert.equal((await me(idle)).statusCode, 200, 'use restarts the idle count');
      clock.advance(sessionIdleMs);
      assert.equal((await me(idle)).statusCode, 401, 'unused for 12 hours');

      const long = await signIn(t, 'carol@acme.example', 'comms password 1');
      for (let hours = 0; hours < 7 * 24; hours += 6) {
        clock.advance(6 * 60 * 60 * 1000);
        if (hours + 6 < 7 * 24) assert.equal((await me(long)).statusCode, 200, `after ${hours + 6} h`);
      }
      assert.equal((await me(long)).statusCode, 401, 'seven days after sign-in, however used');

      const last = await signIn(t, 'carol@acme.example', 'comms password 1');
      const removed = await t.app.server.inject({
        method: 'DELETE',
        url: '/api/v1/users/carol@acme.example',
        headers: t.auth('admin'),
      });
      assert.equal(removed.statusCode, 200);
      assert.equal((await me(last)).statusCode, 401, 'removing a user ends their sessions');
    } finally {
      await t.close();
    }
  });

  test(`sign-in is limited per account and per address, before any password is checked [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      await addUser(t, 'carol@acme.example', 'comms_lead', 'comms password 1');
      await addUser(t, 'dan@acme.example', 'support_lead', 'support password 1');
      // Start each window one short of its limit, then fail once for real.
      const now = new Date().toISOString();
      await t.app.db
        .insertInto('sign_in_failures')
        .values({ key: 'account:carol@acme.example', window_start: now, count: signInLimits.account - 1 })
        .execute();
      const last = await post(t, '/console/sign-in', {
        email: 'carol@acme.example',
        password: 'not it at all',
      });
      assert.equal(last.statusCode, 401);
      const limited = await post(t, '/console/sign-in', {
        email: 'carol@acme.example',
        password: 'comms password 1',
      });
      assert.equal(limited.statusCode, 429, 'even the right password waits out the window');
      assert.equal(limited.headers['retry-after'], '900');
      assert.equal(limited.headers['set-cookie'], undefined);
      // Another account from the same address is not held back by Carol's count.
      await signIn(t, 'dan@acme.example', 'support password 1');

      await t.app.db
        .insertInto('sign_in_failures')
        .values({ key: 'address:127.0.0.1', window_start: now, count: signInLimits.address - 1 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({ window_start: now, count: signInLimits.address - 1 }),
        )
        .execute();
      const spray = await post(t, '/console/sign-in', {
        email: 'eve@acme.example',
        password: 'guess number one',
      });
      assert.equal(spray.statusCode, 401);
      const blocked = await post(t, '/console/sign-in', {
        email: 'dan@acme.example',
        password: 'support password 1',
      });
      assert.equal(blocked.statusCode, 429, 'every account from that address waits');
      const { payload, ...headers } = form({ email: 'dan@acme.example', password: 'support password 1' });
      const elsewhere = await t.app.server.inject({
        method: 'POST',
        url: '/console/sign-in',
        payload,
        headers,
        remoteAddress: '192.0.2.7',
      });
      assert.equal(elsewhere.statusCode, 303, 'from another address Dan signs in');
    } finally {
      await t.close();
    }
  });
}
