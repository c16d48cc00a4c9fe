/**
 * `crier serve` on a SQLite file it may not write (a read-only file; as
 * root, who writes anything, the process runs as `nobody`): it does not
 * exit, serves the status page it can read, and /readyz says the database
 * cannot be written and why. (SQLite keeps a connection opened read-only
 * so: a file made writable again is taken up at the next start.)
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { migrate, openDatabase } from '../src/store/db.ts';
import { cliEntry, freePort, tempDir } from './helpers/process.ts';

async function until(what: string, ms: number, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a read-only SQLite file: alive, serving the page, /readyz says it cannot be written', async () => {
  const dir = tempDir('crier-readonly-');
  const file = path.join(dir, 'crier.db');
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  await db.destroy();
  const asNobody = process.getuid?.() === 0;
  // The process may create its -wal and -shm files beside the database, not write the database.
  fs.chmodSync(dir, 0o777);
  fs.chmodSync(file, 0o444);
  const port = await freePort();
  const child = spawn(process.execPath, [cliEntry, 'serve'], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      CRIER_DATABASE_URL: `sqlite:${file}`,
      CRIER_PLAN: path.join(dir, 'none.yaml'),
      CRIER_DEMO: 'false',
      CRIER_LOG_LEVEL: 'info',
      HOME: dir,
    },
    ...(asNobody && { uid: 65534, gid: 65534 }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  try {
    await until('/healthz', 90_000, async () => (await fetch(`${url}/healthz`)).ok);
    // The first attempt to open the database comes right after the port is open.
    let database = '';
    await until('/readyz to say why', 30_000, async () => {
      const ready = await fetch(`${url}/readyz`);
      assert.equal(ready.status, 503);
      database = ((await ready.json()) as { checks: { database: string } }).checks.database;
      return database !== 'unreachable: connecting';
    });
    assert.match(database, /^cannot write: SQLITE_READONLY/, output);
    assert.equal(child.exitCode, null, 'still running');
    assert.match(output, /SQLITE_READONLY/, 'the log names the cause');

    // The page is read, so it is served; a write is refused with a 503, never a 500.
    assert.equal((await fetch(`${url}/api/v2/summary.json`)).status, 200);
    assert.equal((await fetch(`${url}/`)).status, 200);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
