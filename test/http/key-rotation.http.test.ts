/**
 * Key rotation through HTTP: a session cookie sealed with CRIER_SECRET_KEY
 * still opens the console and the admin API after the key changes, when the
 * old key is in CRIER_SECRET_KEY_PREVIOUS; a new sign-in is sealed with the
 * new key; without the old key in the list, the old cookie names no session.
 * Both databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { Keyring } from '../../src/domain/signing.ts';
import { dialects, silentLog, testConfig } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const origin = 'http://localhost:8080';
const oldKey = 'the-old-secret-key-0001';
const newKey = 'the-new-secret-key-0002';

for (const dialect of dialects) {
  test(`sessions sealed by a previous key still open; new ones are sealed with the new key [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_SECRET_KEY: oldKey } });
    const apps: Awaited<ReturnType<typeof createApp>>[] = [];
    try {
      const added = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: t.auth('admin'),
        payload: { email: 'carol@acme.example', role: 'comms_lead', password: 'a long enough password' },
      });
      assert.equal(added.statusCode, 201, added.body);
      const signIn = async (app: typeof t.app) => {
        const res = await app.server.inject({
          method: 'POST',
          url: '/console/sign-in',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
          payload: 'email=carol%40acme.example&password=a+long+enough+password',
        });
        assert.equal(res.statusCode, 303, res.body);
        const cookie = res.cookies.find((c) => c.name === 'crier_session');
        assert.ok(cookie);
        return cookie.value;
      };
      const me = (app: typeof t.app, cookie: string) =>
        app.server.inject({ method: 'GET', url: '/api/v1/me', cookies: { crier_session: cookie } });

      const oldCookie = await signIn(t.app);
      const secret = Keyring.of({ secretKey: oldKey, previousSecretKeys: [] })?.unseal('session', oldCookie);
      assert.ok(secret, 'the cookie is sealed with the key in force');
      assert.equal((await me(t.app, oldCookie)).statusCode, 200);
      // Without its seal, the bare secret opens nothing while a key is set.
      assert.equal((await me(t.app, secret)).statusCode, 401);

      const open = async (env: Record<string, string>) => {
        const app = await createApp(testConfig(env), { db: t.app.db, timers: false, log: silentLog });
        apps.push(app);
        return app;
      };
      const rotated = await open({ CRIER_SECRET_KEY: newKey, CRIER_SECRET_KEY_PREVIOUS: `${oldKey}` });
      const still = await me(rotated, oldCookie);
      assert.equal(still.statusCode, 200, still.body);
      assert.equal(still.json().actor, 'user:carol@acme.example');
      const page = await rotated.server.inject({
        method: 'GET',
        url: '/console',
        cookies: { crier_session: oldCookie },
      });
      assert.equal(page.statusCode, 200);

      const newCookie = await signIn(rotated);
      assert.ok(Keyring.of({ secretKey: newKey, previousSecretKeys: [] })?.unseal('session', newCookie));
      assert.equal(
        Keyring.of({ secretKey: oldKey, previousSecretKeys: [] })?.unseal('session', newCookie),
        null,
      );
      assert.equal((await me(rotated, newCookie)).statusCode, 200);

      // The old key dropped: what it sealed is refused, and the console says the session ended.
      const dropped = await open({ CRIER_SECRET_KEY: newKey });
      assert.equal((await me(dropped, oldCookie)).statusCode, 401);
      const ended = await dropped.server.inject({
        method: 'GET',
        url: '/console',
        cookies: { crier_session: oldCookie },
      });
      assert.equal(ended.statusCode, 303);
      assert.equal(ended.headers.location, '/console/sign-in?ended=1');
      assert.equal((await me(dropped, newCookie)).statusCode, 200);
    } finally {
      for (const app of apps) await app.close();
      await t.close();
    }
  });
}
