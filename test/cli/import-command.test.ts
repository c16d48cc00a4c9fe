/**
 * `crier import statuspage` as an operator runs it: one command, a real
 * process, a SQLite file, the stand-in Statuspage API over HTTP; then the
 * summary Crier serves from that file matches the stand-in's.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { openDatabase } from '../../src/store/db.ts';
import { silentLog, testConfig } from '../helpers/db.ts';
import { API_KEY, PAGE_ID, startStatuspageStandIn, summaryFacts } from '../helpers/statuspage-standin.ts';

function crier(
  env: Record<string, string>,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['src/cli/main.ts', ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

test('crier import statuspage moves a page in with one command', { timeout: 240_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crier-import-'));
  const standIn = await startStatuspageStandIn();
  const url = `sqlite:${join(dir, 'crier.db')}`;
  const env = { CRIER_DATABASE_URL: url, CRIER_DEMO: 'false', CRIER_LOG_LEVEL: 'silent', SP_KEY: API_KEY };
  const args = [
    'import',
    'statuspage',
    '--page-id',
    PAGE_ID,
    '--api-key',
    'env:SP_KEY',
    '--api-url',
    standIn.url,
  ];
  try {
    const unset = await crier({ ...env, SP_KEY: '' }, args);
    assert.equal(unset.code, 1);
    assert.match(unset.stderr, /SP_KEY is not set/);

    const run = await crier(env, args);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /created component "Service <3>" \(cmp000000003\)/);
    assert.match(run.stdout, /subscribers: 4899 created, 0 already here/);
    assert.match(run.stdout, /left behind: 100 slack subscribers/);
    assert.match(run.stdout, /not taken: subscriber sub000000017: email:/);

    const db = openDatabase(url);
    const app = await createApp(testConfig({ CRIER_DATABASE_URL: url }), {
      db,
      ownsDb: true,
      timers: false,
      log: silentLog,
    });
    try {
      const res = await app.server.inject({ method: 'GET', url: '/api/v2/summary.json' });
      assert.deepEqual(summaryFacts(JSON.parse(res.body)), summaryFacts(standIn.fixture.summary));
    } finally {
      await app.close();
    }
  } finally {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  }
});
