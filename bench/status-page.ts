/**
 * The status page under a traffic spike: Crier against a bare Node.js
 * server sending the identical bytes and headers, same load, same core.
 *
 * Builds a realistic page (20 components in 4 groups, 90 days of history,
 * 2 active incidents with 5 updates each, 1 upcoming maintenance), starts
 * `crier serve` pinned to core 0 with the Node.js flags bin/crier.js gives
 * it, records its answers to GET / (brotli as a browser asks, identity as
 * scripts and probes ask, and brotli with a browser's French
 * `Accept-Language`, which Crier answers with the French page) and GET
 * /api/v2/summary.json (brotli and identity), starts the bare server on the
 * same core, and loads each with Debian's wrk (50 connections) pinned to
 * core 1, alternating servers for several rounds. Prints req/s, p50, p99
 * and CPU per request for each and the ratio Crier/bare, medians of the
 * rounds.
 *
 * With `--starts N`, both servers are stopped and started again N times,
 * all rounds run against each pair of starts, and each start's ratios are
 * printed with their median: a process settles into one of several states,
 * the bare server too, so one start measures that state, not the code
 * (docs/performance.md, "Where a page request's CPU goes"). Both are new
 * and settled alike at each start: a bare server kept running across
 * Crier's starts changed its own state (idle while Crier started) and
 * moved every later ratio with it.
 *
 *   npm run bench -- status-page [--starts 1]   BENCH_DURATION=4 BENCH_ROUNDS=7 BENCH_CONNECTIONS=50
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crierArgs } from './lib/crier-process.ts';
import {
  browserEncoding,
  cpuSeconds,
  freePort,
  loadCore,
  median,
  serverCore,
  settle,
  startPinned,
  waitFor,
  wrk,
} from './lib/page-load.ts';
import { seed } from './lib/page-seed.ts';

// Many short alternating rounds: on a shared machine, paired neighbours see the same noise.
const duration = Number(process.env.BENCH_DURATION ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const { values: opts } = parseArgs({ options: { starts: { type: 'string', default: '1' } } });
const starts = Number(opts.starts);
if (!Number.isInteger(starts) || starts < 1) throw new Error('--starts takes a whole number of at least 1');
const acceptLanguage = 'fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5';

/** One request: Crier's path, where the bare server keeps Crier's recorded answer to it, and its headers. */
interface Case {
  label: string;
  path: string;
  barePath: string;
  headers: Record<string, string>;
}
const br = { 'accept-encoding': browserEncoding };
const cases: Case[] = [
  { label: 'GET /, brotli', path: '/', barePath: '/', headers: br },
  { label: 'GET /, identity', path: '/', barePath: '/?identity', headers: {} },
  {
    label: `GET /, brotli, Accept-Language: ${acceptLanguage}`,
    path: '/',
    barePath: '/?fr',
    headers: { ...br, 'accept-language': acceptLanguage },
  },
  {
    label: 'GET /api/v2/summary.json, brotli',
    path: '/api/v2/summary.json',
    barePath: '/api/v2/summary.json',
    headers: br,
  },
  {
    label: 'GET /api/v2/summary.json, identity',
    path: '/api/v2/summary.json',
    barePath: '/api/v2/summary.json?identity',
    headers: {},
  },
];

/** The response exactly as sent: fetch would decompress the body, which is not what the bare server must send. */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const kept: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) {
              kept.push(name, res.rawHeaders[i + 1] as string);
            }
          }
          resolve({ headers: kept, body: Buffer.concat(chunks) });
        });
      })
      .on('error', reject);
  });
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  /** CPU the server process spent per answered request, in microseconds: far steadier than req/s under noise. */
  cpuUs: number;
}

function measured(url: string, seconds: number, pid: number, headers: Record<string, string>): Run {
  const before = cpuSeconds(pid);
  const r = wrk(url, seconds, connections, headers);
  return { rps: r.rps, p50: r.p50, p99: r.p99, cpuUs: ((cpuSeconds(pid) - before) / r.requests) * 1e6 };
}

/** One start's ratios for one case: req/s of medians, median of paired rounds, CPU per request bare/Crier. */
interface Ratios {
  rps: number;
  paired: number;
  cpu: number;
}

function crierStart(pristine: string, dir: string, n: number, port: number): ChildProcess {
  const dbFile = path.join(dir, `crier-${n}.db`);
  copyFileSync(pristine, dbFile);
  const child = startPinned(crierArgs(['serve']), {
    CRIER_DATABASE_URL: `sqlite:${dbFile}`,
    CRIER_DEMO: 'false',
    PORT: String(port),
    HOST: '127.0.0.1',
    CRIER_PAGE_NAME: 'Acme Cloud',
  });
  // Its log is not read; a pipe nobody drains would fill and stop the process.
  child.stdout?.resume();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

/** All rounds of one case against one start of Crier; prints them and returns the ratios. */
function measureCase(
  cs: Case,
  crierUrl: string,
  bareUrl: string,
  pid: Record<'crier' | 'bare', number>,
  size: number,
): Ratios {
  const runs: Record<'crier' | 'bare', Run[]> = { crier: [], bare: [] };
  const target = (who: 'crier' | 'bare') => (who === 'crier' ? crierUrl + cs.path : bareUrl + cs.barePath);
  measured(target('crier'), 2, pid.crier, cs.headers);
  measured(target('bare'), 2, pid.bare, cs.headers);
  for (let r = 0; r < rounds; r++) {
    // Alternate the order so drift on a shared machine hits both alike.
    const order: ('crier' | 'bare')[] = r % 2 === 0 ? ['crier', 'bare'] : ['bare', 'crier'];
    for (const who of order) runs[who].push(measured(target(who), duration, pid[who], cs.headers));
  }
  const m = (who: 'crier' | 'bare') => ({
    rps: median(runs[who].map((x) => x.rps)),
    p50: median(runs[who].map((x) => x.p50)),
    p99: median(runs[who].map((x) => x.p99)),
    cpuUs: median(runs[who].map((x) => x.cpuUs)),
  });
  const c = m('crier');
  const b = m('bare');
  const ratios = {
    rps: c.rps / b.rps,
    paired: median(runs.crier.map((x, i) => x.rps / (runs.bare[i] as Run).rps)),
    cpu: median(runs.crier.map((x, i) => (runs.bare[i] as Run).cpuUs / x.cpuUs)),
  };
  const row = (who: 'crier' | 'bare', x: ReturnType<typeof m>) =>
    `  ${who.padEnd(6)} ${x.rps.toFixed(0).padStart(7)} req/s  p50 ${x.p50.toFixed(2)} ms  p99 ${x.p99.toFixed(2)} ms  ${x.cpuUs.toFixed(1)} µs CPU/req   runs: ${runs[who].map((y) => y.rps.toFixed(0)).join(', ')}\n`;
  process.stdout.write(
    `${cs.label} (${size} bytes)\n${row('crier', c)}${row('bare', b)}` +
      `  ratio crier/bare: ${ratios.rps.toFixed(3)} req/s of medians, ${ratios.paired.toFixed(3)} median of paired rounds; CPU per request bare/crier ${ratios.cpu.toFixed(3)}\n\n`,
  );
  return ratios;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const pristine = path.join(dir, 'seed.db');
  await seed(pristine);

  const crierPort = await freePort();
  const crierUrl = `http://127.0.0.1:${crierPort}`;
  let crier = crierStart(pristine, dir, 1, crierPort);
  let bare: ChildProcess | undefined;
  try {
    await waitFor(`${crierUrl}/readyz`);
    // Record Crier's exact answers for the bare server.
    const recorded: Record<string, { headers: string[]; body: string }> = {};
    const sizes: Record<string, number> = {};
    for (const c of cases) {
      const { headers, body } = await rawGet(crierUrl + c.path, c.headers);
      recorded[c.barePath] = { headers, body: body.toString('base64') };
      sizes[c.label] = body.length;
    }
    const file = path.join(dir, 'responses.json');
    writeFileSync(file, JSON.stringify(recorded));
    const barePort = await freePort();
    const bareStart = () =>
      startPinned([path.join(import.meta.dirname, 'lib/bare-server.ts'), file, String(barePort)], {});
    bare = bareStart();
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitFor(`${bareUrl}/`);

    const cpu = os.cpus()[0]?.model ?? 'unknown';
    process.stdout.write(
      `Machine: ${os.cpus().length} cores (${cpu}), Node.js ${process.version}; servers on core ${serverCore}, wrk on core ${loadCore}\n` +
        `Load: wrk -t1 -c${connections} -d${duration}s; ${rounds} rounds per start, ${starts} start(s) of both servers, medians; load average ${os.loadavg()[0]?.toFixed(1)}\n\n`,
    );
    const byCase: Ratios[][] = cases.map(() => []);
    for (let n = 1; n <= starts; n++) {
      if (n > 1) {
        await stop(crier);
        await stop(bare);
        crier = crierStart(pristine, dir, n, crierPort);
        bare = bareStart();
        await waitFor(`${crierUrl}/readyz`);
        await waitFor(`${bareUrl}/`);
      }
      // For its first seconds a new process compiles and marks its start-up heap on V8's own
      // threads; measured then, that work would be charged to the page's requests.
      await settle(crier.pid ?? 0);
      await settle(bare.pid ?? 0);
      if (starts > 1) process.stdout.write(`--- start ${n} of both servers ---\n`);
      const pid = { crier: crier.pid ?? 0, bare: bare.pid ?? 0 };
      for (const [i, cs] of cases.entries()) {
        byCase[i]?.push(measureCase(cs, crierUrl, bareUrl, pid, sizes[cs.label] ?? 0));
      }
    }
    if (starts > 1) {
      process.stdout.write(
        `Per start (req/s of medians / median of paired rounds / CPU per request bare/crier), and the median of the starts; load average ${os.loadavg()[0]?.toFixed(1)}\n`,
      );
      for (const [i, cs] of cases.entries()) {
        const rs = byCase[i] ?? [];
        const each = rs
          .map((r) => `${r.rps.toFixed(2)}/${r.paired.toFixed(2)}/${r.cpu.toFixed(2)}`)
          .join('  ');
        const med = (f: (r: Ratios) => number) => median(rs.map(f)).toFixed(3);
        process.stdout.write(
          `${cs.label}\n  starts: ${each}\n  median: ${med((r) => r.rps)} / ${med((r) => r.paired)} / ${med((r) => r.cpu)}\n`,
        );
      }
    }
  } finally {
    await stop(crier);
    if (bare) await stop(bare);
  }
}

await main();
