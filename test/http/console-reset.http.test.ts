/**
 * A forgotten password through HTTP, on both databases: one answer whatever
 * the address, a job only for a person who exists, limits per address asked
 * about, CSRF; the link made as it is sent works once and ends the person's
 * sessions. (The mail itself, through a real SMTP server: e2e/console-keyboard.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mintPasswordLink, resetLimits } from '../../src/services/users/reset.ts';
import { form, origin, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

for (const dialect of dialects) {
  test(`password links: same answer, limited, made as sent, once, sessions end [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const ask = (email: string, headers: Record<string, string> = { origin }) =>
      inject({
        method: 'POST',
        url: '/console/reset',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: new URLSearchParams({ email }).toString(),
      });
    const jobs = () =>
      t.app.db
        .selectFrom('outbox_jobs')
        .select(['kind', 'payload'])
        .where('kind', '=', 'password.link')
        .execute();
    try {
      const ivy = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const signIn = await inject({ method: 'GET', url: '/console/sign-in' });
      assert.match(signIn.body, /<a href="\/console\/reset">Forgot your password\?<\/a>/);
      assert.equal((await inject({ method: 'GET', url: '/console/reset' })).statusCode, 200);

      const unknown = await ask('nobody@acme.test');
      const known = await ask('IVY@acme.test');
      assert.equal(unknown.statusCode, 200);
      assert.equal(known.statusCode, 200);
      const said = (body: string) => /<main id="main">([\s\S]*)<\/main>/.exec(body)?.[1];
      assert.equal(
        said(known.body),
        said(unknown.body),
        'the same answer whether or not the address is a user',
      );
      const queued = await jobs();
      assert.equal(queued.length, 1);
      const userId = (JSON.parse(queued[0]?.payload ?? '{}') as { user_id: string }).user_id;
      assert.doesNotMatch(queued[0]?.payload ?? '', /invitation/, 'no link waits in the outbox');

      // Limits per address asked about: the answer says so, and no more jobs are written.
      for (let i = 1; i < resetLimits.account; i++)
        assert.equal((await ask('ivy@acme.test')).statusCode, 200);
      const limited = await ask('ivy@acme.test');
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.headers['retry-after'], '900');
      assert.equal((await jobs()).length, resetLimits.account);
      assert.equal((await ask('')).statusCode, 400);
      assert.equal((await ask('ivy@acme.test', { origin: 'https://evil.example' })).statusCode, 403);

      // The worker makes the link as it sends; it works once, and setting a password ends Ivy's sessions.
      const mail = await mintPasswordLink(t.app.systemCtx, { user_id: userId });
      assert.equal(mail?.to, 'ivy@acme.test');
      const link = new URL(mail?.message.url ?? '');
      assert.match(link.pathname, /^\/console\/invitation\/[\w-]+$/);
      assert.equal(
        (await inject({ method: 'GET', url: '/console', headers: { cookie: ivy } })).statusCode,
        200,
      );
      const set = await inject(
        form('', link.pathname, { password: 'ivy has a new password', confirm: 'ivy has a new password' }),
      );
      assert.equal(set.statusCode, 200, set.body);
      assert.match(set.body, /Your password is set/);
      const after = await inject({ method: 'GET', url: '/console', headers: { cookie: ivy } });
      assert.equal(after.statusCode, 303);
      assert.equal(after.headers.location, '/console/sign-in?ended=1');
      const again = await inject(
        form('', link.pathname, { password: 'another password here', confirm: 'another password here' }),
      );
      assert.equal(again.statusCode, 404);
      assert.equal(await mintPasswordLink(t.app.systemCtx, { user_id: 'gone' }), null);
    } finally {
      await t.close();
    }
  });
}
