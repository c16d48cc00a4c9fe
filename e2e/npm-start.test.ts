/**
 * `npm start` stops Crier: npm runs the start script through a shell, and a signal that
 * reached only npm and the shell once left the node process behind, still serving. The
 * script execs node in the shell's place, so npm's signal reaches Crier itself.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { root, tempDir } from './helpers/process.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts `npm start` in a process group of its own; answers Crier's pid and address once it serves. */
async function npmStart() {
  const dir = tempDir('crier-npm-start-');
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      // The start script's `node` is this test's Node.js 24, whichever npm runs it.
      PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
      PORT: '0',
      HOST: '127.0.0.1',
      CRIER_DATA_DIR: dir,
      CRIER_PLAN: path.join(dir, 'crier.yaml'),
      CRIER_DEMO: 'false',
      CRIER_WORKER: 'false',
      CRIER_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => {
    output += d;
  });
  child.stderr.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let serving: { pid: number; address: string } | undefined;
  await until(`Crier serves:\n${output}`, () => {
    for (const line of output.split('\n')) {
      if (!line.includes('Crier is serving')) continue;
      const entry = JSON.parse(line) as { pid: number; address: string };
      serving = { pid: entry.pid, address: entry.address };
    }
    return serving !== undefined || child.exitCode !== null;
  });
  assert.ok(serving, `npm start did not serve:\n${output}`);
  assert.notEqual(serving.pid, child.pid, 'Crier runs in a process of its own under npm');
  const res = await fetch(`${serving.address}/healthz`);
  assert.equal(res.status, 200);
  return { npm: child, crier: serving, exited, logs: () => output };
}

test('npm start stops Crier on SIGTERM sent to npm', async () => {
  const started = await npmStart();
  try {
    process.kill(started.npm.pid as number, 'SIGTERM');
    await started.exited;
    await until('Crier has exited', () => !alive(started.crier.pid), 30_000);
    await assert.rejects(fetch(`${started.crier.address}/healthz`), 'nothing serves any more');
    assert.match(started.logs(), /"signal":"SIGTERM".*shutting down/, 'Crier shut down cleanly');
  } finally {
    if (alive(started.crier.pid)) process.kill(started.crier.pid, 'SIGKILL');
  }
});

test('npm start stops Crier on Ctrl-C (SIGINT to the foreground process group)', async () => {
  const started = await npmStart();
  try {
    process.kill(-(started.npm.pid as number), 'SIGINT');
    await started.exited;
    await until('Crier has exited', () => !alive(started.crier.pid), 30_000);
    await assert.rejects(fetch(`${started.crier.address}/healthz`), 'nothing serves any more');
  } finally {
    if (alive(started.crier.pid)) process.kill(started.crier.pid, 'SIGKILL');
  }
});
