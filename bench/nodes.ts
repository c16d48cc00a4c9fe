/**
 * Several `crier serve` nodes behind one PostgreSQL database: a change made
 * through one node's admin API, and the time until every node's
 * `/api/v2/summary.json` and page (`/`) show it. The other nodes hear of the
 * change through PostgreSQL's NOTIFY and render on their own; the baseline,
 * in the same run, is the node that made the change (its own change bus, no
 * NOTIFY). Changes are made in turn through each node. Prints p50 and p99 of
 * the node that made it, of the other nodes, and of the slowest node per
 * change (when every node shows it), and the ratio other/own.
 *
 *   npm run bench -- nodes [--nodes 3] [--changes 30]
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL, or CRIER_TEST_DATABASE_URL (the run
 * makes a schema of its own and drops it after).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pino from 'pino';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { createComponent } from '../src/services/components/create.ts';
import { type Ctx, systemActor, systemClock } from '../src/services/context.ts';
import { createToken } from '../src/services/tokens/tokens.ts';
import { ChangeBus } from '../src/store/changes.ts';
import { migrate, openDatabase } from '../src/store/db.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    changes: { type: 'string', default: '30' },
  },
});
const nodeCount = Number(values.nodes);
const changes = Number(values.changes);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.CRIER_TEST_DATABASE_URL;
const cli = path.join(import.meta.dirname, '../src/cli/main.ts');
const agent = new Agent({ connections: 16, pipelining: 1 });

async function get(url: string): Promise<{ status: number; text: string }> {
  const res = await request(url, { dispatcher: agent });
  return { status: res.statusCode, text: await res.body.text() };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Polls one node's summary.json, then its page, until both name the change; when it did, in ms after `since`. */
async function shownOn(base: string, name: string, since: number): Promise<number> {
  let summary = false;
  for (let i = 0; i < 30_000; i++) {
    if (!summary) summary = (await get(`${base}/api/v2/summary.json`)).text.includes(name);
    if (summary && (await get(`${base}/`)).text.includes(name)) return performance.now() - since;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`"${name}" never showed on ${base}`);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};

async function main(): Promise<void> {
  if (!databaseUrl) {
    process.stderr.write('bench nodes needs PostgreSQL: set BENCH_DATABASE_URL or CRIER_TEST_DATABASE_URL\n');
    process.exit(2);
  }
  const admin = openDatabase(databaseUrl, { poolSize: 1 });
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = openDatabase(databaseUrl, { schema, poolSize: 2 });
  const children: ChildProcess[] = [];
  try {
    await migrate(db);
    const ctx: Ctx = {
      db,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      config: loadConfig({ CRIER_DEMO: 'false' }),
      changes: new ChangeBus(),
      actor: { ...systemActor, id: 'bench' },
    };
    const component = (await createComponent(ctx, { name: 'API' })).id;
    const token = (await createToken(ctx, { name: 'bench@acme.example', role: 'admin' })).token;
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const bases: string[] = [];
    for (let n = 0; n < nodeCount; n++) {
      const port = await freePort();
      bases.push(`http://127.0.0.1:${port}`);
      children.push(
        spawn(process.execPath, [cli, 'serve'], {
          env: {
            ...process.env,
            CRIER_DATABASE_URL: url.toString(),
            CRIER_DEMO: 'false',
            CRIER_LOG_LEVEL: 'warn',
            PORT: String(port),
            HOST: '127.0.0.1',
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        }),
      );
    }
    for (const base of bases) {
      for (let i = 0; ; i++) {
        const ready = await get(`${base}/readyz`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ready) break;
        if (i > 600) throw new Error(`crier serve at ${base} did not start`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const load = os.loadavg().map((l) => l.toFixed(2));
    process.stdout.write(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node.js ${process.version}; ` +
        `load average before: ${load.join(' ')}\n` +
        `${nodeCount} crier serve nodes on one PostgreSQL; ${changes} changes (an incident declared), made in turn through each node; ` +
        'every node polled (summary.json, then /) every 2 ms\n\n',
    );

    const own: number[] = [];
    const others: number[] = [];
    const slowest: number[] = [];
    for (let i = 0; i < changes + 1; i++) {
      const maker = i % nodeCount;
      const name = `Bench change ${i} ${randomBytes(3).toString('hex')}`;
      const t0 = performance.now();
      const res = await request(`${bases[maker]}/api/v1/incidents`, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          name,
          body: 'Investigating.',
          components: { [component]: 'degraded_performance' },
        }),
      });
      const text = await res.body.text();
      if (res.statusCode !== 201) throw new Error(`declare answered ${res.statusCode} ${text}`);
      const times = await Promise.all(bases.map((base) => shownOn(base, name, t0)));
      // The first change warms every node's render path.
      if (i === 0) continue;
      times.forEach((t, n) => {
        (n === maker ? own : others).push(t);
      });
      slowest.push(Math.max(...times));
    }
    const line = (label: string, xs: number[]) =>
      `  ${label.padEnd(42)} p50 ${quantile(xs, 0.5).toFixed(1).padStart(7)} ms  p99 ${quantile(xs, 0.99).toFixed(1).padStart(7)} ms  (${xs.length})`;
    process.stdout.write(
      'Declared through one node → on summary.json and / of\n' +
        `${line('baseline: the node that made it', own)}\n` +
        `${line('the other nodes (NOTIFY)', others)}\n` +
        `${line('every node (the slowest, per change)', slowest)}\n` +
        `  ratio other/own: ${(quantile(others, 0.5) / quantile(own, 0.5)).toFixed(2)} of p50s, ` +
        `${(quantile(others, 0.99) / quantile(own, 0.99)).toFixed(2)} of p99s\n` +
        `  load average after: ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}\n`,
    );
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(
      children.map((c) => new Promise((r) => (c.exitCode === null ? c.once('exit', r) : r(null)))),
    );
    await agent.close();
    await db.destroy();
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
  }
}

await main();
