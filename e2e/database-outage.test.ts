/**
 * PostgreSQL taken away from a running `crier serve`, with admin writes in
 * flight, through a TCP proxy the test cuts and restores (the shared server
 * itself is never stopped): the process stays up, the public surface answers
 * from memory, writes answer 503 with Retry-After and change nothing, and it
 * recovers by itself. Then `crier serve` and `crier worker` started while the
 * database is unreachable: they wait, say why, and start when it comes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { openTestDb, type TestDb } from '../test/helpers/db.ts';
import { cliEntry, freePort, root, startServer, tempDir } from './helpers/process.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';

const pgUrl = process.env.CRIER_TEST_DATABASE_URL;
const token = 'outage-admin-token-0123456789';
const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

let t: TestDb;
let proxy: TcpProxy;
let dir: string;

/** The test's schema, reached through the proxy. */
function throughProxy(): string {
  const u = new URL(pgUrl ?? '');
  u.host = `127.0.0.1:${proxy.port}`;
  u.searchParams.set('options', `-c search_path=${t.schema}`);
  return u.toString();
}

before(async () => {
  if (!pgUrl) return;
  t = await openTestDb({ name: 'postgres', url: pgUrl });
  const u = new URL(pgUrl);
  proxy = await startTcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  dir = tempDir('crier-outage-');
});

after(async () => {
  if (!pgUrl) return;
  await proxy.close();
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function env(): Record<string, string> {
  return {
    CRIER_DATABASE_URL: throughProxy(),
    CRIER_ADMIN_TOKEN: token,
    CRIER_DEMO: 'false',
    // Its email channel makes subscriptions possible; nothing is sent in these tests.
    CRIER_PLAN: path.join(root, 'test/fixtures/plans/delivery.yaml'),
    CRIER_DATA_DIR: dir,
    CRIER_LOG_LEVEL: 'info',
  };
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const got = await probe().catch(() => undefined);
    if (got !== undefined) return got;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function componentCount(): Promise<number> {
  const row = await t.db
    .selectFrom('components')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

const skip = pgUrl ? false : 'needs CRIER_TEST_DATABASE_URL';

test('the database cut off mid-request: up, answering from memory, 503 for writes, back by itself', {
  skip,
}, async () => {
  const server = await startServer(env());
  try {
    const created = await fetch(`${server.url}/api/v1/components`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'API' }),
    });
    assert.equal(created.status, 201);
    const events = await fetch(`${server.url}/events`);
    assert.equal(events.status, 200);
    const stream = events.body?.getReader();

    // Writes in flight when the connection goes: each settles, none with a 500.
    const inFlight = Array.from({ length: 8 }, (_, i) =>
      fetch(`${server.url}/api/v1/components`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: `In flight ${i}` }),
      }).then((r) => r.status),
    );
    await proxy.cut();
    const settled = await Promise.all(inFlight);
    for (const status of settled) assert.ok(status === 201 || status === 503, `in flight: ${status}`);
    const before = await componentCount();

    // Still up, and the public surface answers from memory.
    assert.equal(server.child.exitCode, null, 'the process is still running');
    for (const p of [
      '/',
      '/api/v2/summary.json',
      '/api/v2/components.json',
      '/history.atom',
      '/history.rss',
    ]) {
      const res = await fetch(`${server.url}${p}`);
      assert.equal(res.status, 200, p);
    }
    const chunk = await stream?.read();
    assert.equal(chunk?.done, false, 'the event stream stays open');
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    const readyBody = (await ready.json()) as { checks: { database: string } };
    assert.match(readyBody.checks.database, /^unreachable: /);

    // Writes: 503 database_unavailable with Retry-After, never a 500, and nothing changes.
    const write = await fetch(`${server.url}/api/v1/components`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ name: 'During the outage' }),
    });
    assert.equal(write.status, 503);
    assert.ok(Number(write.headers.get('retry-after')) > 0);
    assert.equal(((await write.json()) as { error: { code: string } }).error.code, 'database_unavailable');
    const subscribe = await fetch(`${server.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone@example.com' }),
    });
    assert.equal(subscribe.status, 503);
    assert.ok(Number(subscribe.headers.get('retry-after')) > 0);
    const form = await fetch(`${server.url}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=someone%40example.com',
    });
    assert.equal(form.status, 503);
    assert.ok(Number(form.headers.get('retry-after')) > 0);
    assert.equal(server.child.exitCode, null, 'still running after the failed writes');

    // Back: ready again and writing within seconds, by itself.
    await proxy.restore();
    const back = Date.now();
    await until('/readyz to answer 200', 30_000, async () =>
      (await fetch(`${server.url}/readyz`)).status === 200 ? true : undefined,
    );
    const readyAfter = Date.now() - back;
    const again = await until('a write to go through', 30_000, async () => {
      const res = await fetch(`${server.url}/api/v1/components`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ name: 'After the outage' }),
      });
      return res.status === 201 ? res : undefined;
    });
    assert.equal(again.status, 201);
    const writeAfter = Date.now() - back;
    process.stdout.write(
      `# recovery after the database returned: ready in ${readyAfter} ms, first write in ${writeAfter} ms\n`,
    );
    assert.equal(await componentCount(), before + 1, 'the outage changed nothing; the write after it did');
    assert.equal(await componentCount(), before + 1);
    assert.doesNotMatch(server.logs(), /"level":(50|60).*uncaught/i);
    await stream?.cancel();
  } finally {
    await proxy.restore().catch(() => {});
    assert.equal(await server.stop(), 0, 'drains and exits cleanly');
  }
});

test('started while the database is away: alive, says why, starts when it comes', { skip }, async () => {
  await proxy.cut();
  const serve = await spawnCrier(['serve'], 'PORT');
  const worker = await spawnCrier(['worker'], 'CRIER_WORKER_METRICS_PORT');
  const stopped = await spawnCrier(['worker'], 'CRIER_WORKER_METRICS_PORT');
  try {
    for (const p of [serve, worker, stopped]) {
      await until(`${p.args[0]} /healthz`, 90_000, async () =>
        (await fetch(`${p.url}/healthz`)).status === 200 ? true : undefined,
      );
      const ready = await fetch(`${p.url}/readyz`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { checks: { database: string } };
      assert.match(body.checks.database, /^unreachable: .*(ECONNREFUSED|connect)/i);
    }
    const page = await fetch(`${serve.url}/`);
    assert.equal(page.status, 503);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    await until('the wait to be logged with its backoff', 30_000, async () =>
      /retry_in_ms/.test(serve.logs()) && /retry_in_ms/.test(worker.logs()) ? true : undefined,
    );

    // A signal ends a worker still waiting, cleanly.
    stopped.child.kill('SIGTERM');
    assert.equal(await stopped.exited, 0);

    await proxy.restore();
    const back = Date.now();
    for (const p of [serve, worker]) {
      await until(`${p.args[0]} ready`, 60_000, async () =>
        (await fetch(`${p.url}/readyz`)).status === 200 ? true : undefined,
      );
    }
    process.stdout.write(`# started once the database came: both ready ${Date.now() - back} ms after\n`);
    assert.equal((await fetch(`${serve.url}/api/v2/summary.json`)).status, 200);
    assert.match(serve.logs(), /the database answers; starting/);
  } finally {
    for (const p of [serve, worker, stopped]) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    // A process that does not drain in time is killed rather than left to hold the run.
    const hard = setTimeout(() => {
      for (const p of [serve, worker, stopped]) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    }, 30_000);
    await Promise.all([serve.exited, worker.exited, stopped.exited]);
    clearTimeout(hard);
  }
});

async function spawnCrier(args: string[], portVariable: string) {
  const port = await freePort();
  const child = spawn(process.execPath, [cliEntry, ...args], {
    env: { ...process.env, HOST: '127.0.0.1', [portVariable]: String(port), ...env() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { args, child, url: `http://127.0.0.1:${port}`, logs: () => output, exited };
}
