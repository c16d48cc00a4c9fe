/**
 * Single sign-on configured in the plan, not the environment, against a
 * real OpenID provider (npm oidc-provider on loopback) in a real browser.
 * Before the plan names it the console offers passwords only; a plan whose
 * secret's variable is unset is refused; once applied, Carol signs in
 * through the provider and the plan's mapping gives her her role; a plan
 * without it turns it off again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { check } from './helpers/console.ts';
import { type ConsoleServer, startConsoleServer } from './helpers/console-server.ts';
import { listenProvider, signInThroughProvider, type TestProvider } from './helpers/oidc-provider.ts';

const secret = 'crier-plan-client-secret-for-the-test';
let crier: ConsoleServer;
let idp: TestProvider;
let browser: Browser;

before(async () => {
  idp = await listenProvider({ carol: { email: 'carol@acme.test', groups: ['everyone', 'comms'] } });
  crier = await startConsoleServer('sso-plan', { CRIER_SSO_SECRET: secret }, { publicUrlIsServer: true });
  idp.start(crier.url, 'crier-plan', secret);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await crier?.stop();
  await idp?.close();
});

const plan = (sso: string) => `version: 1
page: { name: Acme Cloud, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
${sso}`;

const sso = (secretName: string) => `single_sign_on:
  issuer: ${idp.issuer}
  client_id: crier-plan
  client_secret: env:${secretName}
  roles: { comms: comms_lead }
`;

async function offered(): Promise<boolean> {
  const page = await (await fetch(`${crier.url}/console/sign-in`)).text();
  return page.includes('Sign in with single sign-on');
}

test('single sign-on from the plan: off, refused when its secret is unset, on once applied, off again', async () => {
  assert.equal(await offered(), false);
  assert.equal((await fetch(`${crier.url}/console/sso`, { redirect: 'manual' })).status, 404);

  const refused = await fetch(`${crier.url}/api/v1/plan`, {
    method: 'PUT',
    headers: {
      authorization: 'Bearer e2e-sso-plan-admin-token-0123456789',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ source: plan(sso('CRIER_SSO_UNSET')) }),
  });
  assert.equal(refused.status, 422);
  const problems = ((await refused.json()) as { error: { details: { problems: { path: string }[] } } }).error
    .details.problems;
  assert.deepEqual(
    problems.map((p) => p.path),
    ['single_sign_on.client_secret'],
  );
  assert.equal(await offered(), false);

  await crier.admin('PUT', '/api/v1/plan', { source: plan(sso('CRIER_SSO_SECRET')) });
  assert.equal(await offered(), true);
  await crier.admin('POST', '/api/v1/users', { email: 'carol@acme.test', role: 'viewer', name: 'Carol' });
  const carol = await signInThroughProvider(browser, crier.url, 'carol');
  try {
    await carol.page.locator('h1', { hasText: 'Now' }).waitFor();
    assert.match((await carol.page.locator('.who').textContent()) ?? '', /Carol\s*\(comms lead\)/);
    const users = (await crier.admin('GET', '/api/v1/users')) as unknown as { email: string; role: string }[];
    assert.equal(users.find((u) => u.email === 'carol@acme.test')?.role, 'comms_lead');
    await carol.page.goto(`${crier.url}/console/sign-in`);
    await check(carol.page, 'sign-in with single sign-on offered');
  } finally {
    await carol.context.close();
  }

  await crier.admin('PUT', '/api/v1/plan', { source: plan('') });
  assert.equal(await offered(), false);
  assert.equal((await fetch(`${crier.url}/console/sso`, { redirect: 'manual' })).status, 404);
});
