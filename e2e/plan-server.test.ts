/** `crier plan diff|apply` and `crier roles` against a real server that loaded its plan file at start. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { initPlanText } from '../src/plan/init.ts';
import { runCli, type Server, startServer, tempDir } from './helpers/process.ts';

const adminToken = 'e2e-plan-admin-token-0123456789';
let server: Server;
let env: Record<string, string>;
let dir: string;

before(async () => {
  dir = tempDir();
  const db = `sqlite:${path.join(dir, 'crier.db')}`;
  fs.writeFileSync(path.join(dir, 'crier.yaml'), initPlanText);
  server = await startServer({
    CRIER_DATABASE_URL: db,
    CRIER_ADMIN_TOKEN: adminToken,
    CRIER_DEMO: 'false',
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
  });
  env = { CRIER_DATABASE_URL: db, CRIER_URL: server.url, CRIER_TOKEN: adminToken, CRIER_LOG_LEVEL: 'silent' };
});

after(async () => {
  await server.stop('SIGTERM');
});

test('the server applied the plan file; plan diff shows a change, plan apply makes it version 2', async () => {
  const changed = path.join(dir, 'changed.yaml');
  fs.writeFileSync(changed, initPlanText.replace('external_cadence: 1h', 'external_cadence: 45m'));
  const diff = await runCli(['plan', 'diff', changed], env);
  assert.equal(diff.code, 0, diff.stderr);
  assert.equal(diff.stdout.trim(), '~ severities.SEV2.external_cadence: "1h" → "45m"');
  const applied = await runCli(['plan', 'apply', changed], env);
  assert.equal(applied.code, 0, applied.stderr);
  assert.match(applied.stdout, /^Applied as version 2\.\n~ severities\.SEV2\.external_cadence/);
  const again = await runCli(['plan', 'apply', changed], env);
  assert.match(again.stdout, /No changes: version 2 is current/);
  const none = await runCli(['plan', 'diff', changed], env);
  assert.equal(none.stdout.trim(), 'No changes.');
  const broken = path.join(dir, 'broken.yaml');
  fs.writeFileSync(broken, initPlanText.replace('approval: comms_lead', 'approval: ceo'));
  const refused = await runCli(['plan', 'apply', broken], env);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /plan_invalid/);
});

test('crier roles shows the holders from the rota and reassigns one', async () => {
  const declared = await runCli(
    [
      'incident',
      'declare',
      'API errors',
      '--message',
      'Requests to the API fail. Next update by 10:30 UTC.',
      '--json',
    ],
    env,
  );
  assert.equal(declared.code, 0, declared.stderr);
  const { id } = JSON.parse(declared.stdout) as { id: string };
  const shown = await runCli(['roles', id], env);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /comms_lead\s+carol@example\.com/);
  const moved = await runCli(['roles', id, '--comms-lead', 'dora@example.com'], env);
  assert.equal(moved.code, 0, moved.stderr);
  assert.match(moved.stdout, /comms_lead\s+dora@example\.com/);
});
