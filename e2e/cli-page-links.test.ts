/**
 * A private audience's links from a terminal, against a real server
 * process: `crier subscribers page-link renew` signs a link that opens the
 * audience's page; `revoke` closes the page to it; a renewed one opens it
 * again. `--help` has no side effects; a subscriber that does not exist is
 * a clear error.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type RunResult, runCli, type Server, startServer, tempDir } from './helpers/process.ts';

const plan = `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
severities:
  SEV1: { external_cadence: 30m, approval: none, audiences: [public, enterprise] }
audiences:
  public: { channels: [status-page, webhook] }
  enterprise: { channels: [webhook], private_page: true }
channels:
  webhook: { type: webhook }
`;

const adminToken = 'e2e-page-links-admin-token-0123456789';
let server: Server;
let env: Record<string, string>;

const run = (args: string[]) => runCli(args, { ...env, CRIER_TOKEN: adminToken });
async function ok(args: string[]): Promise<RunResult> {
  const r = await run(args);
  assert.equal(r.code, 0, `crier ${args.join(' ')}: ${r.stderr}`);
  return r;
}

before(async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'crier.yaml'), plan);
  const common = {
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
    CRIER_DEMO: 'false',
    CRIER_WORKER: 'false',
    CRIER_PUBLIC_URL: 'https://status.acme.example',
  };
  server = await startServer({ ...common, CRIER_ADMIN_TOKEN: adminToken });
  env = { ...common, CRIER_URL: server.url, CRIER_LOG_LEVEL: 'silent' };
});
after(async () => {
  assert.equal(await server.stop('SIGTERM'), 0, server.logs());
});

/** Opens a link on the running server as a browser would: the first answer, not following redirects. */
const open = (url: string, cookie?: string) =>
  fetch(url.replace('https://status.acme.example', server.url), {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });

test('renew signs a link that opens the private page; revoke closes it; a renewed one opens it again', async () => {
  const help = await ok(['subscribers', 'page-link', '--help']);
  assert.match(help.stdout, /renew/);
  assert.match(help.stdout, /revoke/);

  const buyer = JSON.parse(
    (
      await ok([
        'subscribers',
        'add',
        '--webhook',
        'https://hooks.buyer.example/status',
        '--audience',
        'enterprise',
        '--json',
      ])
    ).stdout,
  ) as { id: string };

  const renewed = await ok(['subscribers', 'page-link', 'renew', buyer.id]);
  const url = /^(https:\/\/status\.acme\.example\/a\/enterprise\/\S*k=\S+)$/m.exec(renewed.stdout)?.[1];
  assert.ok(url, renewed.stdout);
  assert.match(renewed.stdout, /^Valid until \d{4}-\d\d-\d\dT/m);
  const first = await open(url);
  assert.equal(first.status, 303, 'the link opens the page and leaves its cookie');
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  assert.equal((await open(`${server.url}/a/enterprise/`, cookie)).status, 200);

  const revoked = JSON.parse(
    (await ok(['subscribers', 'page-link', 'revoke', buyer.id, '--json'])).stdout,
  ) as {
    revoked_before: string;
  };
  assert.match(revoked.revoked_before, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await open(url)).status, 403, 'the old link no longer opens it');
  assert.equal((await open(`${server.url}/a/enterprise/`, cookie)).status, 403, 'nor the cookie it left');

  const again = JSON.parse((await ok(['subscribers', 'page-link', 'renew', buyer.id, '--json'])).stdout) as {
    url: string;
    expires_at: string;
  };
  assert.notEqual(again.url, url);
  assert.equal((await open(again.url)).status, 303);

  const missing = await run(['subscribers', 'page-link', 'renew', 'no-such-subscriber']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /subscriber/i);
});
