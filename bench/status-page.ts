/**
 * The status page under a traffic spike: Crier against a bare Node.js
 * server sending the identical bytes and headers, same load, same core.
 *
 * Builds a realistic page (20 components in 4 groups, 90 days of history,
 * 2 active incidents with 5 updates each, 1 upcoming maintenance), starts
 * `crier serve` pinned to core 0 with the Node.js flags bin/crier.js gives
 * it, records its answers to GET / (without and with a browser's French
 * `Accept-Language`, which Crier answers with the French page) and GET
 * /api/v2/summary.json, starts the bare server on the same core, and loads
 * each with Debian's wrk (50 connections) pinned to core 1, alternating
 * servers for several rounds. Prints req/s, p50 and p99 for each and the
 * ratio Crier/bare, medians of the rounds.
 *
 *   npm run bench -- status-page        BENCH_DURATION=10 BENCH_ROUNDS=3 BENCH_CONNECTIONS=50
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { crierArgs } from './lib/crier-process.ts';
import { seed } from './lib/page-seed.ts';

// Many short alternating rounds: on a shared machine, paired neighbours see the same noise.
const duration = Number(process.env.BENCH_DURATION ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
// What browsers send; both servers answer with the same brotli bytes.
const acceptEncoding = 'gzip, deflate, br, zstd';
const acceptLanguage = 'fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5';

/** One request: Crier's path, where the bare server keeps Crier's recorded answer to it, and its extra headers. */
interface Case {
  label: string;
  path: string;
  barePath: string;
  headers: Record<string, string>;
}
const cases: Case[] = [
  { label: 'GET /', path: '/', barePath: '/', headers: {} },
  {
    label: `GET / with Accept-Language: ${acceptLanguage}`,
    path: '/',
    barePath: '/?fr',
    headers: { 'accept-language': acceptLanguage },
  },
  {
    label: 'GET /api/v2/summary.json',
    path: '/api/v2/summary.json',
    barePath: '/api/v2/summary.json',
    headers: {},
  },
];

const serverCore = process.env.BENCH_SERVER_CORE ?? '0';
const loadCore = process.env.BENCH_LOAD_CORE ?? '1';

function start(cmd: string[], env: Record<string, string>): ChildProcess {
  const child = spawn('taskset', ['-c', serverCore, process.execPath, ...cmd], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return child;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer`);
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The response exactly as sent: fetch would decompress the body, which is not what the bare server must send. */
function rawGet(url: string, extra: Record<string, string>): Promise<{ headers: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': acceptEncoding, ...extra } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name)) {
              headers.push(name, res.rawHeaders[i + 1] as string);
            }
          }
          resolve({ headers, body: Buffer.concat(chunks) });
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

/** User + system CPU time of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Waits (at most a minute) until a process spends under 2 % of a core for a whole second. */
async function settle(pid: number): Promise<void> {
  for (let i = 0; i < 60; i++) {
    const before = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, 1000));
    if (cpuSeconds(pid) - before < 0.02) return;
  }
}

function ms(text: string): number {
  const m = /([\d.]+)(us|ms|s)/.exec(text);
  if (!m) return Number.NaN;
  const v = Number(m[1]);
  return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
}

function wrk(url: string, seconds: number, pid: number, extra: Record<string, string>): Run {
  const cpuBefore = cpuSeconds(pid);
  const headers = Object.entries(extra).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const out = execFileSync(
    'taskset',
    [
      '-c',
      loadCore,
      'wrk',
      '-t1',
      `-c${connections}`,
      `-d${seconds}s`,
      '--latency',
      '-H',
      `Accept-Encoding: ${acceptEncoding}`,
      ...headers,
      url,
    ],
    { encoding: 'utf8' },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? '');
  const p99 = ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? '');
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const cpuUs = ((cpuSeconds(pid) - cpuBefore) / requests) * 1e6;
  return { rps, p50, p99, cpuUs };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const dbFile = path.join(dir, 'crier.db');
  await seed(dbFile);

  const crierPort = await freePort();
  const crier = start(crierArgs(['serve']), {
    CRIER_DATABASE_URL: `sqlite:${dbFile}`,
    CRIER_DEMO: 'false',
    PORT: String(crierPort),
    HOST: '127.0.0.1',
    CRIER_PAGE_NAME: 'Acme Cloud',
  });
  const crierUrl = `http://127.0.0.1:${crierPort}`;
  const children: ChildProcess[] = [crier];
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
    const bare = start([path.join(import.meta.dirname, 'lib/bare-server.ts'), file, String(barePort)], {});
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitFor(`${bareUrl}/`);
    // For its first seconds a new process compiles and marks its start-up heap on V8's own
    // threads; measured then, that work would be charged to the page's requests.
    await settle(crier.pid ?? 0);

    const cpu = os.cpus()[0]?.model ?? 'unknown';
    process.stdout.write(
      `Machine: ${os.cpus().length} cores (${cpu}), Node.js ${process.version}; servers on core ${serverCore}, wrk on core ${loadCore}\n` +
        `Load: wrk -t1 -c${connections} -d${duration}s, Accept-Encoding: ${acceptEncoding}; ${rounds} rounds, medians\n\n`,
    );
    const rows: string[] = [];
    for (const cs of cases) {
      const runs: Record<'crier' | 'bare', Run[]> = { crier: [], bare: [] };
      const pid = { crier: crier.pid ?? 0, bare: bare.pid ?? 0 };
      const target = (who: 'crier' | 'bare') =>
        who === 'crier' ? crierUrl + cs.path : bareUrl + cs.barePath;
      wrk(target('crier'), 2, pid.crier, cs.headers);
      wrk(target('bare'), 2, pid.bare, cs.headers);
      for (let r = 0; r < rounds; r++) {
        // Alternate the order so drift on a shared machine hits both alike.
        const order: ('crier' | 'bare')[] = r % 2 === 0 ? ['crier', 'bare'] : ['bare', 'crier'];
        for (const who of order) runs[who].push(wrk(target(who), duration, pid[who], cs.headers));
      }
      const m = (who: 'crier' | 'bare') => ({
        rps: median(runs[who].map((x) => x.rps)),
        p50: median(runs[who].map((x) => x.p50)),
        p99: median(runs[who].map((x) => x.p99)),
        cpuUs: median(runs[who].map((x) => x.cpuUs)),
      });
      const c = m('crier');
      const b = m('bare');
      const ratios = runs.crier.map((x, i) => x.rps / (runs.bare[i] as Run).rps);
      const cpuRatios = runs.crier.map((x, i) => (runs.bare[i] as Run).cpuUs / x.cpuUs);
      rows.push(
        `${cs.label} (${sizes[cs.label]} bytes br)\n` +
          `  crier  ${c.rps.toFixed(0).padStart(7)} req/s  p50 ${c.p50.toFixed(2)} ms  p99 ${c.p99.toFixed(2)} ms  ${c.cpuUs.toFixed(1)} µs CPU/req   runs: ${runs.crier.map((x) => x.rps.toFixed(0)).join(', ')}\n` +
          `  bare   ${b.rps.toFixed(0).padStart(7)} req/s  p50 ${b.p50.toFixed(2)} ms  p99 ${b.p99.toFixed(2)} ms  ${b.cpuUs.toFixed(1)} µs CPU/req   runs: ${runs.bare.map((x) => x.rps.toFixed(0)).join(', ')}\n` +
          `  ratio crier/bare: ${(c.rps / b.rps).toFixed(3)} req/s of medians, ${median(ratios).toFixed(3)} median of paired rounds; CPU per request bare/crier ${median(cpuRatios).toFixed(3)}\n`,
      );
      process.stdout.write(`${rows.at(-1)}\n`);
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
  }
}

await main();
