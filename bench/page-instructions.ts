/**
 * The status page's cost per request in instructions, which a loaded
 * machine does not blur: Crier against a bare Node.js server sending the
 * identical bytes and headers, each counted by valgrind's callgrind.
 *
 * Builds the page of bench/status-page.ts, starts `crier serve` (worker,
 * timers, metrics and connection limits as they run) and two bare servers
 * (one answering with the brotli bytes, one with the identity bytes) under
 * `valgrind --tool=callgrind`, all on core 0. Instructions are counted
 * while the event loop handles a socket (libuv's `uv__stream_io` and
 * `uv__server_io`: accept, read, parse, answer, write, and the garbage
 * collections and microtasks they set off), in both processes alike. What
 * a process runs on its own clock (timers: the worker's poll, the page's
 * once-a-minute re-render; the thread pool's compression; V8's background
 * threads) is not per request: docs/performance.md accounts for it per
 * second. After a warm-up, each round counts a window of requests per
 * server for `GET /` and `GET /api/v2/summary.json`, brotli (as a browser
 * asks) and identity (as scripts and probes ask), alternating the servers'
 * order, plus a window with no requests whose rate, if any, is subtracted.
 * A window that overlaps a re-render (`crier_status_page_renders_total` in
 * /metrics, read between windows) is set aside all the same: the render's
 * promise continuations can land in a socket's turn.
 *
 * Prints instructions per request for each server, the ratio Crier/bare
 * (medians of the rounds), and the idle rates. Slow: about a minute per
 * round on a quiet machine, after a few minutes to start and warm up.
 *
 *   npm run bench -- page-instructions    BENCH_ROUNDS=5 BENCH_WINDOW=400 BENCH_WARMUP=600 BENCH_CONNECTIONS=16
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { crierArgs } from './lib/crier-process.ts';
import { seed } from './lib/page-seed.ts';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
/** Requests counted per window, over `connections` keep-alive connections opened for the window. */
const window = Number(process.env.BENCH_WINDOW ?? 400);
const warmup = Number(process.env.BENCH_WARMUP ?? 600);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const idleMs = Number(process.env.BENCH_IDLE_MS ?? 5_000);
const serverCore = process.env.BENCH_SERVER_CORE ?? '0';
const endpoints = ['/', '/api/v2/summary.json'];
const encodings = { br: 'gzip, deflate, br, zstd', identity: undefined } as const;
type Encoding = keyof typeof encodings;
// callgrind_control finds a process through a pipe named from this variable: both must see the same.
const host = '127.0.0.1';
const env = { ...process.env, HOST: host };

interface Server {
  name: string;
  child: ChildProcess;
  url: string;
  out: string;
  dumps: number;
}

function underCallgrind(name: string, dir: string, args: string[], extra: Record<string, string>): Server {
  const out = path.join(dir, `${name}.callgrind`);
  const child = spawn(
    'taskset',
    [
      '-c',
      serverCore,
      'valgrind',
      '--tool=callgrind',
      '--instr-atstart=no',
      // Counted: what runs while the event loop handles a socket (accept, read, parse, answer,
      // write, the garbage collections they trigger), not timers or the thread pool.
      '--collect-atstart=no',
      '--toggle-collect=uv__stream_io',
      '--toggle-collect=uv__server_io',
      `--callgrind-out-file=${out}`,
      process.execPath,
      ...args,
    ],
    { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  child.stderr?.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-4000);
  });
  child.on('exit', (code) => {
    if (code !== null && code !== 0) process.stderr.write(`${name} exited ${code}:\n${err}\n`);
  });
  return { name, child, url: '', out, dumps: 0 };
}

function control(server: Server, ...args: string[]): void {
  execFileSync('callgrind_control', [...args, String(server.child.pid)], { env, stdio: 'ignore' });
}

/** Instructions since the last zeroing: dumps a profile and reads its totals (written asynchronously). */
async function dump(server: Server): Promise<number> {
  control(server, '-d');
  server.dumps++;
  const file = `${server.out}.${server.dumps}`;
  for (let i = 0; i < 1200; i++) {
    if (existsSync(file)) {
      const m = /^totals: (\d+)/m.exec(readFileSync(file, 'utf8'));
      if (m) return Number(m[1]);
    }
    await sleep(100);
  }
  throw new Error(`${file} was not written`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(url: string, minutes: number): Promise<void> {
  const until = Date.now() + minutes * 60_000;
  while (Date.now() < until) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(30_000) })).ok) return;
    } catch {
      // not yet
    }
    await sleep(1000);
  }
  throw new Error(`${url} did not answer within ${minutes} minutes`);
}

function rawGet(url: string, accept: string | undefined): Promise<{ headers: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: accept ? { 'accept-encoding': accept } : {} }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = (res.rawHeaders[i] as string).toLowerCase();
            if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(name))
              headers.push(name, res.rawHeaders[i + 1] as string);
          }
          resolve({ headers, body: Buffer.concat(chunks) });
        });
      })
      .on('error', reject);
  });
}

/** `count` GETs over `connections` keep-alive connections opened for them; how many were not a 200. */
async function load(url: string, accept: string | undefined, count: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let sent = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = http.get(url, { agent, headers: accept ? { 'accept-encoding': accept } : {} }, (res) => {
        if (res.statusCode !== 200) failed++;
        res.resume();
        res.on('end', () => resolve());
      });
      req.setTimeout(120_000, () => req.destroy());
      req.on('error', () => {
        failed++;
        resolve();
      });
    });
  const lane = async () => {
    while (sent < count) {
      sent++;
      await one();
    }
  };
  await Promise.all(Array.from({ length: connections }, lane));
  agent.destroy();
  return failed;
}

/** The page's renders so far, from /metrics (read between windows, so it is not counted). */
async function renders(crier: Server): Promise<number> {
  const text = await (await fetch(`${crier.url}/metrics`)).text();
  return Number(/^crier_status_page_renders_total (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

interface Window {
  server: Server;
  key: string;
  instructions: number;
  requests: number;
  start: number;
  end: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[Math.floor(s.length / 2)] as number);
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const dbFile = path.join(dir, 'crier.db');
  await seed(dbFile);
  const port = 18_700 + Math.floor(Math.random() * 200);
  const crier = underCallgrind('crier', dir, crierArgs(['serve']), {
    CRIER_DATABASE_URL: `sqlite:${dbFile}`,
    CRIER_DEMO: 'false',
    PORT: String(port),
    CRIER_PAGE_NAME: 'Acme Cloud',
  });
  crier.url = `http://${host}:${port}`;
  const servers: Server[] = [crier];
  try {
    process.stdout.write('Starting crier serve under callgrind (minutes)...\n');
    await waitFor(`${crier.url}/readyz`, 15);
    const bare: Record<Encoding, Server> = {} as Record<Encoding, Server>;
    for (const [i, encoding] of (Object.keys(encodings) as Encoding[]).entries()) {
      const recorded: Record<string, { headers: string[]; body: string }> = {};
      for (const p of endpoints) {
        const { headers, body } = await rawGet(crier.url + p, encodings[encoding]);
        recorded[p] = { headers, body: body.toString('base64') };
      }
      const file = path.join(dir, `${encoding}.json`);
      writeFileSync(file, JSON.stringify(recorded));
      const s = underCallgrind(
        `bare-${encoding}`,
        dir,
        [path.join(import.meta.dirname, 'lib/bare-server.ts'), file, String(port + 1 + i)],
        {},
      );
      s.url = `http://${host}:${port + 1 + i}`;
      bare[encoding] = s;
      servers.push(s);
    }
    for (const s of Object.values(bare)) await waitFor(`${s.url}/`, 15);
    for (const s of servers) control(s, '-i', 'on');
    process.stdout.write('Warming up...\n');
    for (const p of endpoints)
      for (const encoding of Object.keys(encodings) as Encoding[])
        for (const s of [crier, bare[encoding]]) await load(s.url + p, encodings[encoding], warmup);

    const windows: Window[] = [];
    const renderSpans: [number, number][] = [];
    let seen = await renders(crier);
    let seenAt = Date.now();
    const lastDuration = async () => {
      const text = await (await fetch(`${crier.url}/metrics`)).text();
      return Number(/^crier_status_page_render_seconds ([\d.]+)/m.exec(text)?.[1] ?? 0) * 1000;
    };
    /** Notes a render that completed since the last look: it ran somewhere in [last look − its duration, now]. */
    const watchRenders = async () => {
      const now = await renders(crier);
      const at = Date.now();
      if (now !== seen) renderSpans.push([seenAt - (await lastDuration()) - 1000, at]);
      seen = now;
      seenAt = at;
    };
    const count = async (server: Server, key: string, run: () => Promise<number>) => {
      await watchRenders();
      control(server, '-z');
      const start = Date.now();
      const failed = await run();
      const end = Date.now();
      const instructions = await dump(server);
      await watchRenders();
      if (failed === 0)
        windows.push({ server, key, instructions, requests: key === 'idle' ? 0 : window, start, end });
      else process.stdout.write(`  ${server.name} ${key}: ${failed} failed requests, window set aside\n`);
    };

    for (let r = 0; r < rounds; r++) {
      for (const s of servers) await count(s, 'idle', () => sleep(idleMs).then(() => 0));
      for (const p of endpoints)
        for (const encoding of Object.keys(encodings) as Encoding[]) {
          const order = r % 2 === 0 ? [crier, bare[encoding]] : [bare[encoding], crier];
          for (const s of order)
            await count(s, `${p} ${encoding}`, () => load(s.url + p, encodings[encoding], window));
        }
      process.stdout.write(`  round ${r + 1} of ${rounds} done\n`);
    }
    await watchRenders();

    const clean = (w: Window) =>
      w.server !== crier || !renderSpans.some(([from, to]) => from < w.end && to > w.start);
    // Counting sockets only, a process's idle rate is near zero; when every idle window of
    // Crier's overlapped a re-render (slow under callgrind), the uncleaned ones stand in.
    const idleRate = (s: Server) => {
      const idle = windows.filter((w) => w.server === s && w.key === 'idle');
      const rates = (idle.some(clean) ? idle.filter(clean) : idle).map(
        (w) => w.instructions / (w.end - w.start),
      );
      return rates.length === 0 ? 0 : median(rates);
    };
    const perRequest = (s: Server, key: string) => {
      const rate = idleRate(s);
      const ws = windows.filter((w) => w.server === s && w.key === key && clean(w));
      return {
        value: median(ws.map((w) => (w.instructions - rate * (w.end - w.start)) / w.requests)),
        raw: median(ws.map((w) => w.instructions / w.requests)),
        n: ws.length,
      };
    };
    const cpu = os.cpus()[0]?.model ?? 'unknown';
    const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
    process.stdout.write(
      `\nMachine: ${os.cpus().length} cores (${cpu}), Node.js ${process.version}, ${execFileSync('valgrind', ['--version'], { encoding: 'utf8' }).trim()}\n` +
        `Windows of ${window} requests over ${connections} keep-alive connections, ${rounds} rounds, medians; ` +
        `idle windows of ${idleMs / 1000} s; ${renderSpans.length} periodic renders seen, windows overlapping them set aside\n\n` +
        'Idle instructions per ms (subtracted): ' +
        servers.map((s) => `${s.name} ${fmt(idleRate(s))}`).join(', ') +
        '\n\n',
    );
    for (const p of endpoints)
      for (const encoding of Object.keys(encodings) as Encoding[]) {
        const key = `${p} ${encoding}`;
        const c = perRequest(crier, key);
        const b = perRequest(bare[encoding], key);
        process.stdout.write(
          `GET ${key}\n` +
            `  crier  ${fmt(c.value).padStart(9)} instructions/request  (${fmt(c.raw)} before subtracting idle; ${c.n} windows)\n` +
            `  bare   ${fmt(b.value).padStart(9)} instructions/request  (${fmt(b.raw)} before subtracting idle; ${b.n} windows)\n` +
            `  ratio crier/bare: ${(c.value / b.value).toFixed(3)}\n`,
        );
      }
  } finally {
    for (const s of servers) s.child.kill('SIGTERM');
  }
}

await main();
