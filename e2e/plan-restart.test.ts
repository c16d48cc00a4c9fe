/**
 * A restart never undoes a plan: real `crier serve` processes on one
 * database. A plan applied with `crier plan apply` stays in force through a
 * restart with the same plan file; a plan file edited since is applied at
 * the next start, replacing the API's version, which the log names.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { initPlanText } from '../src/plan/init.ts';
import { runCli, startServer, tempDir } from './helpers/process.ts';

const adminToken = 'e2e-plan-restart-token-0123456789';

interface PlanView {
  version: number;
  applied_by: string;
  applied_via: string;
  file: { path: string; sha256: string } | null;
  plan: { severities: Record<string, { external_cadence?: string }> };
}

test('a plan applied through the API survives a restart; a plan file edited since wins the next one', async () => {
  const dir = tempDir();
  const planFile = path.join(dir, 'crier.yaml');
  fs.writeFileSync(planFile, initPlanText);
  const env = {
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_ADMIN_TOKEN: adminToken,
    CRIER_DEMO: 'false',
    CRIER_PLAN: planFile,
  };
  const current = async (url: string): Promise<PlanView> => {
    const res = await fetch(`${url}/api/v1/plan`, { headers: { authorization: `Bearer ${adminToken}` } });
    assert.equal(res.status, 200);
    return (await res.json()) as PlanView;
  };

  let server = await startServer(env);
  try {
    const first = await current(server.url);
    assert.equal(first.version, 1);
    assert.equal(first.applied_via, 'file');
    assert.equal(first.file?.path, planFile);

    const changed = path.join(dir, 'changed.yaml');
    fs.writeFileSync(changed, initPlanText.replace('external_cadence: 1h', 'external_cadence: 45m'));
    const cli = { CRIER_URL: server.url, CRIER_TOKEN: adminToken, CRIER_LOG_LEVEL: 'silent' };
    const applied = await runCli(['plan', 'apply', changed], cli);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, /Applied as version 2/);
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }

  server = await startServer(env);
  try {
    const kept = await current(server.url);
    assert.equal(kept.version, 2, 'the restart kept the version applied through the API');
    assert.equal(kept.applied_via, 'api');
    assert.equal(kept.applied_by, 'token:bootstrap admin (CRIER_ADMIN_TOKEN)');
    assert.equal(kept.plan.severities.SEV2?.external_cadence, '45m');
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }

  fs.writeFileSync(planFile, initPlanText.replace('external_cadence: 1h', 'external_cadence: 40m'));
  server = await startServer(env);
  try {
    const replaced = await current(server.url);
    assert.equal(replaced.version, 3);
    assert.equal(replaced.applied_via, 'file');
    assert.equal(replaced.plan.severities.SEV2?.external_cadence, '40m');
    assert.match(
      server.logs(),
      /the plan file changed: applied it as version 3, replacing version 2, applied through the API by token:bootstrap admin \(CRIER_ADMIN_TOKEN\)/,
    );
    const versions = await fetch(`${server.url}/api/v1/plan/versions`, {
      headers: { authorization: `Bearer ${adminToken}` },
    });
    const list = (await versions.json()) as { version: number; applied_via: string }[];
    assert.deepEqual(
      list.map((v) => `${v.version}:${v.applied_via}`),
      ['3:file', '2:api', '1:file'],
    );
  } finally {
    assert.equal(await server.stop('SIGTERM'), 0);
  }
});
