/**
 * A real OpenID provider (npm oidc-provider) on loopback for single sign-on
 * tests: its address is known at once, its client once Crier has one. Each
 * person signs in with any password and carries an email and groups.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface TestProvider {
  issuer: string;
  /** Serves the provider, its one client redirecting to Crier at `crierUrl`. */
  start(crierUrl: string, clientId: string, secret: string): void;
  close(): Promise<void>;
}

export async function listenProvider(
  people: Record<string, { email: string; groups: string[] }>,
): Promise<TestProvider> {
  const idp = http.createServer();
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  return {
    issuer,
    start: (crierUrl, clientId, secret) => {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: secret,
            redirect_uris: [`${crierUrl}/console/sso/callback`],
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
            claims: async () => ({
              sub: id,
              email: person.email,
              email_verified: true,
              groups: person.groups,
            }),
          };
        },
      });
      idp.on('request', provider.callback());
    },
    close: () => new Promise((resolve) => idp.close(() => resolve())),
  };
}

/** A phone-sized context that signs in through the provider as `login`, back at Crier when it returns. */
export async function signInThroughProvider(
  browser: Browser,
  crierUrl: string,
  login: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  await page.goto(`${crierUrl}/console/sign-in`);
  await page.getByRole('link', { name: 'Sign in with single sign-on' }).click();
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill('whatever the provider takes');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.href.startsWith(crierUrl));
  return { context, page };
}
