/**
 * Single sign-on against a real OpenID provider (npm oidc-provider, started
 * here on loopback) in a real browser. Carol, added as a viewer, signs in
 * through the provider; her `groups` claim maps to comms_lead, which becomes
 * her role, recorded, and her session works on the admin API. Mallory, whom
 * the provider knows but no admin added, is refused. Two forged callbacks
 * are refused.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { type ConsoleServer, startConsoleServer } from './helpers/console-server.ts';
import { listenProvider, signInThroughProvider, type TestProvider } from './helpers/oidc-provider.ts';

const secret = 'crier-client-secret-for-the-test';
let crier: ConsoleServer;
let idp: TestProvider;
let browser: Browser;

const people: Record<string, { email: string; groups: string[] }> = {
  carol: { email: 'carol@acme.test', groups: ['everyone', 'comms'] },
  mallory: { email: 'mallory@acme.test', groups: ['everyone'] },
};

before(async () => {
  // The provider's address must be known before Crier starts; its client, once Crier has an address.
  idp = await listenProvider(people);
  crier = await startConsoleServer(
    'sso',
    {
      CRIER_OIDC_ISSUER: idp.issuer,
      CRIER_OIDC_CLIENT_ID: 'crier',
      CRIER_OIDC_CLIENT_SECRET: secret,
      CRIER_OIDC_ROLES: 'comms=comms_lead, admins=admin',
    },
    { publicUrlIsServer: true },
  );
  idp.start(crier.url, 'crier', secret);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await crier?.stop();
  await idp?.close();
});

test('single sign-on: a mapped group sets the role; a stranger is refused; forged callbacks are refused', async () => {
  await crier.admin('POST', '/api/v1/users', { email: 'carol@acme.test', role: 'viewer', name: 'Carol' });

  const carol = await signInThroughProvider(browser, crier.url, 'carol');
  try {
    await carol.page.locator('h1', { hasText: 'Now' }).waitFor();
    assert.match((await carol.page.locator('.who').textContent()) ?? '', /Carol\s*\(comms lead\)/);
    const users = (await crier.admin('GET', '/api/v1/users')) as unknown as { email: string; role: string }[];
    assert.equal(users.find((u) => u.email === 'carol@acme.test')?.role, 'comms_lead');
    const audit = (await crier.admin('GET', '/api/v1/audit?action=user.sign_in')) as unknown as {
      actor: string;
      after: unknown;
    }[];
    assert.deepEqual(
      audit.map((e) => [e.actor, e.after]),
      [['user:carol@acme.test', { method: 'oidc' }]],
    );
    const me = await carol.page.request.get(`${crier.url}/api/v1/me`);
    assert.deepEqual(
      { ...(await me.json()), user_id: undefined },
      { actor: 'user:carol@acme.test', role: 'comms_lead', user_id: undefined },
      'the session works on the admin API too, with the mapped role',
    );
  } finally {
    await carol.context.close();
  }

  const mallory = await signInThroughProvider(browser, crier.url, 'mallory');
  try {
    const notice = mallory.page.locator('p.notice.error');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /mallory@acme\.test is not a user of this Crier/);
    const cookies = await mallory.context.cookies(crier.url);
    assert.equal(cookies.filter((c) => c.name === 'crier_session').length, 0);
  } finally {
    await mallory.context.close();
  }

  // A callback nobody started, and one whose state was tampered with.
  const bare = await fetch(`${crier.url}/console/sso/callback?code=x&state=y`);
  assert.equal(bare.status, 400);
  const start = await fetch(`${crier.url}/console/sso`, { redirect: 'manual' });
  const flowCookie = String(start.headers.get('set-cookie')).split(';')[0] as string;
  const forged = await fetch(`${crier.url}/console/sso/callback?code=x&state=forged`, {
    headers: { cookie: flowCookie },
  });
  assert.equal(forged.status, 401);
  assert.doesNotMatch(String(forged.headers.get('set-cookie')), /crier_session=[^;]/);
});
