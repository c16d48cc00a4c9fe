/**
 * What the console's browser tests set up alike: a `crier serve` on a fresh
 * SQLite database with an admin token and no demo, calls to its admin API
 * with that token.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { type Server, startServer, tempDir } from './process.ts';

export interface ConsoleServer {
  server: Server;
  url: string;
  /** The admin API token it started with. */
  token: string;
  /** The admin API with the admin token: a JSON answer (null when empty), or the test fails. */
  admin(method: string, url: string, body?: object): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startConsoleServer(
  name: string,
  env: Record<string, string> = {},
  options: { publicUrlIsServer?: boolean } = {},
): Promise<ConsoleServer> {
  const token = `e2e-${name}-admin-token-0123456789`;
  const dir = tempDir(`crier-${name}-`);
  const server = await startServer(
    {
      CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
      CRIER_PLAN: path.join(dir, 'crier.yaml'),
      CRIER_ADMIN_TOKEN: token,
      CRIER_DEMO: 'false',
      CRIER_WORKER_POLL_MS: '100',
      ...env,
    },
    ['serve'],
    'PORT',
    options,
  );
  return {
    server,
    url: server.url,
    token,
    admin: async (method, url, body) => {
      const res = await fetch(server.url + url, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body && { body: JSON.stringify(body) }),
      });
      assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
      const text = await res.text();
      return (text === '' ? null : JSON.parse(text)) as Record<string, unknown>;
    },
    stop: async () => {
      await server.stop();
    },
  };
}

/** Signs a page in with a password, and waits for the Now screen. */
export async function signIn(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/console/sign-in`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.locator('h1', { hasText: 'Now' }).waitFor();
}
