/**
 * Single sign-on against a real OpenID provider (npm oidc-provider, started
 * here on loopback) in a real browser. Carol, added as a viewer, signs in
 * through the provider; her `groups` claim maps to comms_lead, which becomes
 * her role, recorded, and her session works on the admin API. Mallory, whom
 * the provider knows but no admin added, is refused. Two forged callbacks
 * are refused.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Provider from 'oidc-provider';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { type Server, startServer, tempDir } from './helpers/process.ts';

const token = 'e2e-console-sso-admin-token-0123';
const secret = 'crier-client-secret-for-the-test';
let server: Server;
let idp: http.Server;
let browser: Browser;

const people: Record<string, { email: string; groups: string[] }> = {
  carol: { email: 'carol@acme.test', groups: ['everyone', 'comms'] },
  mallory: { email: 'mallory@acme.test', groups: ['everyone'] },
};

async function admin(method: string, url: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(server.url + url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as Record<string, unknown>;
}

before(async () => {
  // The provider's address must be known before Crier starts; its clients, once Crier has an address.
  idp = http.createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const dir = tempDir('crier-sso-');
  server = await startServer(
    {
      CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
      CRIER_PLAN: path.join(dir, 'crier.yaml'),
      CRIER_ADMIN_TOKEN: token,
      CRIER_DEMO: 'false',
      CRIER_OIDC_ISSUER: issuer,
      CRIER_OIDC_CLIENT_ID: 'crier',
      CRIER_OIDC_CLIENT_SECRET: secret,
      CRIER_OIDC_ROLES: 'comms=comms_lead, admins=admin',
    },
    ['serve'],
    'PORT',
    { publicUrlIsServer: true },
  );
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'crier',
        client_secret: secret,
        redirect_uris: [`${server.url}/console/sso/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    cookies: { keys: ['a test key that signs the provider cookies'] },
    findAccount: async (_ctx, id) => {
      const person = people[id];
      if (!person) return undefined;
      return {
        accountId: id,
        claims: async () => ({ sub: id, email: person.email, email_verified: true, groups: person.groups }),
      };
    },
  });
  idp.on('request', provider.callback());
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((resolve) => idp?.close(resolve));
});

async function signInThroughProvider(login: string) {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/console/sign-in`);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('whatever the provider takes');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.href.startsWith(server.url));
  return { context, page };
}

test('single sign-on: a mapped group sets the role; a stranger is refused; forged callbacks are refused', async () => {
  await admin('POST', '/api/v1/users', { email: 'carol@acme.test', role: 'viewer', name: 'Carol' });

  const carol = await signInThroughProvider('carol');
  try {
    await carol.page.locator('h1', { hasText: 'Now' }).waitFor();
    assert.match((await carol.page.locator('.who').textContent()) ?? '', /Carol\s*\(comms lead\)/);
    const users = (await admin('GET', '/api/v1/users')) as unknown as { email: string; role: string }[];
    assert.equal(users.find((u) => u.email === 'carol@acme.test')?.role, 'comms_lead');
    const audit = (await admin('GET', '/api/v1/audit?action=user.sign_in')) as unknown as {
      actor: string;
      after: unknown;
    }[];
    assert.deepEqual(
      audit.map((e) => [e.actor, e.after]),
      [['user:carol@acme.test', { method: 'oidc' }]],
    );
    const me = await carol.page.request.get(`${server.url}/api/v1/me`);
    assert.deepEqual(
      { ...(await me.json()), user_id: undefined },
      { actor: 'user:carol@acme.test', role: 'comms_lead', user_id: undefined },
      'the session works on the admin API too, with the mapped role',
    );
  } finally {
    await carol.context.close();
  }

  const mallory = await signInThroughProvider('mallory');
  try {
    const notice = mallory.page.locator('p.notice.error');
    await notice.waitFor();
    assert.match((await notice.textContent()) ?? '', /mallory@acme\.test is not a user of this Crier/);
    const cookies = await mallory.context.cookies(server.url);
    assert.equal(cookies.filter((c) => c.name === 'crier_session').length, 0);
  } finally {
    await mallory.context.close();
  }

  // A callback nobody started, and one whose state was tampered with.
  const bare = await fetch(`${server.url}/console/sso/callback?code=x&state=y`);
  assert.equal(bare.status, 400);
  const start = await fetch(`${server.url}/console/sso`, { redirect: 'manual' });
  const flowCookie = String(start.headers.get('set-cookie')).split(';')[0] as string;
  const forged = await fetch(`${server.url}/console/sso/callback?code=x&state=forged`, {
    headers: { cookie: flowCookie },
  });
  assert.equal(forged.status, 401);
  assert.doesNotMatch(String(forged.headers.get('set-cookie')), /crier_session=[^;]/);
});
