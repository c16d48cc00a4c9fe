/**
 * Scaling out on PostgreSQL: 1, 2 and 3 `crier worker` processes (the real
 * command, each its own process) share one fan-out of 20,000 webhook
 * subscribers to a local HTTP receiver.
 *
 *   npm run bench -- scale-out [--webhooks N] [--workers 1,2,3] [--rounds R]
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL, or CRIER_TEST_DATABASE_URL (each
 * run makes a schema of its own and drops it after). Prints, per number of
 * workers: the time from the publish until every subscriber had its
 * webhook, and the throughput, against one worker's (the baseline, in the
 * same run); how many each worker sent (told apart by their sockets'
 * ports); deliveries lost (subscribers never reached) and duplicates
 * (second copies the receiver got); per worker, the database round trips
 * and statements per delivery (counted by a proxy in front of PostgreSQL,
 * one per worker, bench/lib/pg-counter.ts) and its CPU time per delivery
 * (/proc/<pid>/stat); and the CPU time per delivery of the PostgreSQL
 * backends serving the workers. Rounds alternate the order of the
 * configurations; figures are medians.
 *
 * The incident is declared as `crier serve` declares one: the benchmark's
 * process runs the change notifier the product wires on PostgreSQL
 * (src/store/change-notifier.ts), so the fan-out's job wakes the workers
 * through NOTIFY at once rather than at their next poll, and each line says
 * how long after the declaration the first webhook arrived.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pino from 'pino';
import { request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { type Ctx, systemActor, systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { startChangeNotifier } from '../src/store/change-notifier.ts';
import { ChangeBus } from '../src/store/changes.ts';
import { migrate, openDatabase } from '../src/store/db.ts';
import { seedSubscribers } from '../test/helpers/db.ts';
import { crierArgs } from './lib/crier-process.ts';

const { values } = parseArgs({
  options: {
    webhooks: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '1,2,3' },
    rounds: { type: 'string', default: '1' },
  },
});
const n = Number(values.webhooks);
const configurations = values.workers.split(',').map(Number);
const rounds = Number(values.rounds);
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.CRIER_TEST_DATABASE_URL;
const ticksPerSecond = 100;

interface Child {
  process: ChildProcess;
  /** The numbers the first line of its standard output carried after "ready". */
  ports: number[];
}

async function startHelper(script: string, args: string[]): Promise<Child> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise<number[]>((resolve) => {
    child.stdout?.once('data', (d: Buffer) => resolve(String(d).trim().split(' ').slice(1).map(Number)));
  });
  return { process: child, ports };
}

async function getJson<T>(url: string, method: 'GET' | 'POST' = 'GET'): Promise<T> {
  const res = await request(url, { method, headersTimeout: 0, bodyTimeout: 0 });
  return (await res.body.json()) as T;
}

/** User and system CPU time of a process, all its threads, in milliseconds (0 once it is gone). */
function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return 0;
  }
}

/** The local TCP ports of the sockets process `pid` holds open. */
function localPorts(pid: number): Set<number> {
  const inodes = new Set<string>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const link = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m?.[1]) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length > 9 && inodes.has(cols[9] ?? ''))
        ports.add(Number.parseInt(cols[1]?.split(':')[1] ?? '', 16));
    }
  }
  return ports;
}

function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  // As the installed command starts it, with the flags of bin/crier.js.
  const child = spawn(process.execPath, crierArgs(['worker']), {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const heard = (d: Buffer) => {
      out += String(d);
      if (out.includes('crier worker running')) resolve(child);
    };
    child.stdout?.on('data', heard);
    child.stderr?.on('data', heard);
    child.once('exit', (code) => reject(new Error(`crier worker exited (${code}) before it ran:\n${out}`)));
  });
}

interface Result {
  workers: number;
  seconds: number;
  /** From the declaration to the first webhook received. */
  firstMs: number;
  sent: number[];
  unattributed: number;
  lost: number;
  duplicates: number;
  roundTrips: number[];
  statements: number[];
  workerCpuMs: number[];
  postgresCpuMs: number;
}

async function measure(workers: number, sink: Child, pgCounter: Child): Promise<Result> {
  const [sinkPort = 0, sinkControl = 0] = sink.ports;
  const [counterControl = 0, ...proxyPorts] = pgCounter.ports;
  const admin = openDatabase(databaseUrl ?? '', { poolSize: 1 });
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  await sql`create schema ${sql.id(schema)}`.execute(admin);
  const db = openDatabase(databaseUrl ?? '', { schema, poolSize: 2 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-scale-'));
  const children: ChildProcess[] = [];
  let notifier: Awaited<ReturnType<typeof startChangeNotifier>>;
  try {
    await migrate(db);
    await seedSubscribers(db, n, 'webhook', (i) => `http://127.0.0.1:${sinkPort}/hook/${i}`);
    fs.writeFileSync(path.join(dir, 'crier.yaml'), 'channels:\n  webhook: { type: webhook }\n');
    const target = new URL(databaseUrl ?? '');
    for (let w = 0; w < workers; w++) {
      const url = new URL(target);
      url.host = `127.0.0.1:${proxyPorts[w]}`;
      url.searchParams.set('options', `-c search_path=${schema}`);
      url.searchParams.set('application_name', `${schema}_w${w}`);
      children.push(
        await startWorker({
          CRIER_DATABASE_URL: url.toString(),
          CRIER_PLAN: path.join(dir, 'crier.yaml'),
          CRIER_DEMO: 'false',
          CRIER_ALLOW_PRIVATE_NETWORK: 'true',
          // Every webhook goes to the one local receiver: unpaced, as in bench/fanout.ts.
          CRIER_DELIVERY_HOST_RATE: '0',
          // Its default level: the line saying it runs is how the benchmark knows it is ready.
          CRIER_LOG_LEVEL: 'info',
        }),
      );
    }
    // Each worker's pool and lanes have settled: start counting from here.
    await new Promise((r) => setTimeout(r, 1500));
    await getJson(`http://127.0.0.1:${sinkControl}/stats`, 'POST');
    await getJson(`http://127.0.0.1:${counterControl}/`, 'POST');
    const backends = async () =>
      (
        await sql<{
          pid: number;
        }>`select pid from pg_stat_activity where application_name like ${`${schema}_w%`}`.execute(admin)
      ).rows.map((r) => r.pid);
    const pgBefore = new Map((await backends()).map((pid) => [pid, cpuMs(pid)]));
    const cpuBefore = children.map((c) => cpuMs(c.pid ?? 0));
    const changes = new ChangeBus();
    const ctx: Ctx = {
      db,
      clock: systemClock,
      log: pino({ level: 'silent' }),
      config: loadConfig({ CRIER_DEMO: 'false', CRIER_PLAN: path.join(dir, 'crier.yaml') }),
      changes,
      actor: systemActor,
    };
    // As in `crier serve` on PostgreSQL: a job queued here is announced to the workers' processes.
    const direct = new URL(target);
    direct.searchParams.set('options', `-c search_path=${schema}`);
    notifier = await startChangeNotifier({
      db,
      url: direct.toString(),
      changes,
      log: ctx.log,
      onReconnect: () => {},
    });
    const published = performance.timeOrigin + performance.now();
    await declareIncident(ctx, {
      name: 'Checkout errors',
      body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
    });
    const timeout = setTimeout(() => {
      process.stderr.write(`scale-out: ${workers} workers did not reach ${n} in 10 minutes\n`);
      process.exit(1);
    }, 600_000);
    await request(`http://127.0.0.1:${sinkControl}/?until=${n}`, { headersTimeout: 0, bodyTimeout: 0 });
    // Every outcome recorded (the round trips and CPU counted include them), and the job done.
    for (;;) {
      const left = await db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '!=', 'sent')
        .executeTakeFirstOrThrow();
      const jobs = await db
        .selectFrom('outbox_jobs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('state', '!=', 'done')
        .executeTakeFirstOrThrow();
      if (Number(left.n) === 0 && Number(jobs.n) === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    clearTimeout(timeout);
    const workerCpuMs = children.map((c, i) => cpuMs(c.pid ?? 0) - (cpuBefore[i] ?? 0));
    let postgresCpuMs = 0;
    for (const pid of await backends()) postgresCpuMs += cpuMs(pid) - (pgBefore.get(pid) ?? 0);
    const counts = await getJson<{ roundTrips: number; statements: number }[]>(
      `http://127.0.0.1:${counterControl}/`,
    );
    const stats = await getJson<{
      unique: number;
      duplicates: number;
      first: number;
      at100: number;
      byPort: Record<string, number>;
    }>(`http://127.0.0.1:${sinkControl}/stats?n=${n}`);
    const sent = children.map((c) => {
      const ports = localPorts(c.pid ?? 0);
      return Object.entries(stats.byPort)
        .filter(([port]) => ports.has(Number(port)))
        .reduce((sum, [, count]) => sum + count, 0);
    });
    const attributed = sent.reduce((a, b) => a + b, 0);
    return {
      workers,
      seconds: (stats.at100 - published) / 1000,
      firstMs: stats.first - published,
      sent,
      unattributed: stats.unique + stats.duplicates - attributed,
      lost: n - stats.unique,
      duplicates: stats.duplicates,
      roundTrips: counts.slice(0, workers).map((c) => c.roundTrips),
      statements: counts.slice(0, workers).map((c) => c.statements),
      workerCpuMs,
      postgresCpuMs,
    };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    await notifier?.close();
    await db.destroy();
    await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
    await admin.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const perDelivery = (x: number) => (x / n).toFixed(2);
const µsPerDelivery = (ms: number) => ((ms / n) * 1000).toFixed(0);

function line(r: Result): string {
  const each = r.sent
    .map((s, i) => {
      const [trips, statements, cpu] = [r.roundTrips[i] ?? 0, r.statements[i] ?? 0, r.workerCpuMs[i] ?? 0];
      const head = `    worker ${i + 1}: sent ${s} (${((100 * s) / n).toFixed(0)} %), `;
      // Per delivery it sent, or, having sent none, what its claims cost in all.
      if (s === 0)
        return `${head}${trips} round trips, ${statements} statements, CPU ${cpu.toFixed(0)} ms in all`;
      const per = (x: number) => (x / s).toFixed(2);
      return `${head}per delivery it sent: ${per(trips)} round trips, ${per(statements)} statements, CPU ${((cpu / s) * 1000).toFixed(0)} µs`;
    })
    .join('\n');
  return (
    `${r.workers} worker${r.workers > 1 ? 's' : ' '}  ${String(Math.round(n / r.seconds)).padStart(6)} deliveries/s  ${r.seconds.toFixed(2)} s  ` +
    `lost ${r.lost}  duplicates ${r.duplicates}  unattributed ${r.unattributed}  first webhook after ${r.firstMs.toFixed(0)} ms\n` +
    `    all workers: ${perDelivery(sum(r.roundTrips))} round trips, ${perDelivery(sum(r.statements))} statements, ` +
    `CPU ${µsPerDelivery(sum(r.workerCpuMs))} µs per delivery; PostgreSQL backends CPU ${µsPerDelivery(r.postgresCpuMs)} µs per delivery\n${each}`
  );
}

async function main(): Promise<void> {
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  process.stdout.write(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}\n`,
  );
  if (!databaseUrl) {
    process.stdout.write('skipped: needs PostgreSQL (BENCH_DATABASE_URL or CRIER_TEST_DATABASE_URL)\n');
    return;
  }
  const target = new URL(databaseUrl);
  process.stdout.write(
    `${n} webhooks, workers ${configurations.join(', ')}, ${rounds} round(s); load average before: ${load()}\n`,
  );
  const sink = await startHelper('lib/sinks.ts', ['http']);
  const pgCounter = await startHelper('lib/pg-counter.ts', [
    target.hostname,
    target.port || '5432',
    String(Math.max(...configurations)),
  ]);
  const results = new Map<number, Result[]>();
  try {
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? configurations : [...configurations].reverse();
      for (const workers of order) {
        const result = await measure(workers, sink, pgCounter);
        results.set(workers, [...(results.get(workers) ?? []), result]);
        process.stdout.write(`round ${r + 1}: ${line(result)}\n`);
      }
    }
  } finally {
    sink.process.kill();
    pgCounter.process.kill();
  }
  process.stdout.write('\nmedians (time), against one worker in the same run\n');
  const baseline = median((results.get(configurations[0] ?? 1) ?? []).map((x) => x.seconds));
  for (const workers of configurations) {
    const runs = results.get(workers) ?? [];
    const seconds = median(runs.map((x) => x.seconds));
    process.stdout.write(
      `${workers} worker(s): ${Math.round(n / seconds)} deliveries/s, ${(baseline / seconds).toFixed(2)} × ${configurations[0]} worker(s); ` +
        `lost ${Math.max(...runs.map((x) => x.lost))}, duplicates ${Math.max(...runs.map((x) => x.duplicates))} at most\n`,
    );
  }
  process.stdout.write(`load average after: ${load()}\n`);
}

await main();
