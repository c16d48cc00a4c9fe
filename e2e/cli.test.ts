/** The CLI against a real server process, on a real SQLite file. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, type Server, startServer, tempDir } from './helpers/process.ts';

const adminToken = 'e2e-admin-token-0123456789';
let server: Server;
let env: Record<string, string>;

before(async () => {
  const dir = tempDir();
  const db = `sqlite:${path.join(dir, 'crier.db')}`;
  server = await startServer({ CRIER_DATABASE_URL: db, CRIER_ADMIN_TOKEN: adminToken, CRIER_DEMO: 'false' });
  env = { CRIER_DATABASE_URL: db, CRIER_URL: server.url, CRIER_TOKEN: adminToken, CRIER_LOG_LEVEL: 'silent' };
});

after(async () => {
  const code = await server.stop('SIGTERM');
  assert.equal(code, 0, `graceful shutdown on SIGTERM:\n${server.logs()}`);
});

test('crier incident declare is visible through the API with its update, component statuses and audit entry', async () => {
  const added = await runCli(['component', 'add', 'API', '--json'], env);
  assert.equal(added.code, 0, added.stderr);
  const component = JSON.parse(added.stdout) as { id: string };

  const declared = await runCli(
    [
      'incident',
      'declare',
      'API unavailable',
      '--message',
      'API requests fail.',
      '--component',
      `${component.id}=major_outage`,
      '--json',
    ],
    env,
  );
  assert.equal(declared.code, 0, declared.stderr);
  const { id } = JSON.parse(declared.stdout) as { id: string };

  const res = await fetch(`${server.url}/api/v1/incidents/${id}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const incident = (await res.json()) as {
    name: string;
    impact: string;
    incident_updates: { body: string }[];
    components: { id: string; status: string }[];
  };
  assert.equal(incident.name, 'API unavailable');
  assert.equal(incident.impact, 'critical');
  assert.equal(incident.incident_updates[0]?.body, 'API requests fail.');
  assert.deepEqual(
    incident.components.map((c) => [c.id, c.status]),
    [[component.id, 'major_outage']],
  );

  const audit = await fetch(`${server.url}/api/v1/audit?subject_id=${id}`, {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  const entries = (await audit.json()) as { action: string; actor: string }[];
  assert.equal(entries[0]?.action, 'incident.declare');
  assert.equal(entries[0]?.actor, 'token:bootstrap admin (CRIER_ADMIN_TOKEN)');

  const shown = await runCli(['incident', 'show', id], env);
  assert.equal(shown.code, 0);
  assert.match(shown.stdout, /API unavailable/);
  assert.match(shown.stdout, /major_outage/);

  const updated = await runCli(
    ['incident', 'update', id, '--status', 'identified', '--message', 'Cause found.'],
    env,
  );
  assert.equal(updated.code, 0, updated.stderr);
  const resolved = await runCli(['incident', 'resolve', id, '--json'], env);
  assert.equal(resolved.code, 0, resolved.stderr);
  assert.equal((JSON.parse(resolved.stdout) as { status: string }).status, 'resolved');
  const list = await runCli(['incident', 'list'], env);
  assert.match(list.stdout.split('\n')[0] ?? '', /^ID\s+NAME\s+STATUS/);
});

test('maintenance commands schedule, start and complete a window', async () => {
  const scheduled = await runCli(
    [
      'maintenance',
      'schedule',
      'DB upgrade',
      '--start',
      '2030-01-01T10:00:00Z',
      '--end',
      '2030-01-01T11:00:00Z',
      '--json',
    ],
    env,
  );
  assert.equal(scheduled.code, 0, scheduled.stderr);
  const { id } = JSON.parse(scheduled.stdout) as { id: string };
  assert.equal((await runCli(['maintenance', 'start', id], env)).code, 0);
  const done = await runCli(['maintenance', 'complete', id, '--json'], env);
  assert.equal((JSON.parse(done.stdout) as { status: string }).status, 'completed');
  const again = await runCli(['maintenance', 'start', id], env);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^crier: transition_not_allowed: /);
});

test('the CLI fails with one clear line and a non-zero exit', async () => {
  const badToken = await runCli(['component', 'list'], {
    ...env,
    CRIER_TOKEN: 'crier_wrong-token-value-xyz',
  });
  assert.equal(badToken.code, 1);
  assert.equal(badToken.stderr.trim().split('\n').length, 1);
  assert.match(badToken.stderr, /unauthenticated/);

  const unreachable = await runCli(['component', 'list'], { ...env, CRIER_URL: 'http://127.0.0.1:9' });
  assert.equal(unreachable.code, 1);
  assert.match(unreachable.stderr, /^crier: Cannot reach Crier at http:\/\/127\.0\.0\.1:9/);

  const badStatus = await runCli(['component', 'set-status', 'x', 'on_fire'], env);
  assert.notEqual(badStatus.code, 0);
  assert.equal(badStatus.stderr.trim().split('\n').length, 1);

  const unknown = await runCli(['frobnicate'], env);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^crier: unknown command 'frobnicate'/);

  const badConfig = await runCli(['migrate'], { ...env, PORT: 'eighty', CRIER_DATABASE_URL: 'mysql://x' });
  assert.equal(badConfig.code, 78);
  assert.match(badConfig.stderr, /PORT/);
  assert.match(badConfig.stderr, /CRIER_DATABASE_URL/);
});

test('crier token create prints a working token once', async () => {
  const created = await runCli(
    ['token', 'create', '--role', 'viewer', '--name', 'dashboards', '--json'],
    env,
  );
  assert.equal(created.code, 0, created.stderr);
  const { token } = JSON.parse(created.stdout) as { token: string };
  const res = await fetch(`${server.url}/api/v1/components`, {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  const denied = await fetch(`${server.url}/api/v1/components`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'X' }),
  });
  assert.equal(denied.status, 403);
});
