/**
 * How many live clients (/events streams) one `crier serve` holds, what
 * each costs in memory, and how long one change takes to reach all of them;
 * beside it, the memory a bare Node.js server holding the same streams
 * takes (bench/lib/bare-sse.ts), and the ratio.
 *
 * Starts `crier serve` on a fresh SQLite database with the caps raised to
 * the clients asked for, opens that many streams from 127.0.0.2 (the next
 * address every 20,000, as one address has about 28,000 ephemeral ports),
 * 200 at a time, waits until each has its first state, and reads the
 * server's RSS from /proc before and after. Then it declares an incident
 * through the admin API and times until every client has the new state,
 * and checks that the page and /healthz still answer from 127.0.0.1.
 * More clients than the descriptor limit allows need a higher one, for
 * this process and the servers it starts:
 *
 *   npm run bench -- live-clients        BENCH_LIVE_CLIENTS=10000
 *   BENCH_LIVE_CLIENTS=30000 prlimit --nofile=65536 -- npm run bench -- live-clients
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const clients = Number(process.env.BENCH_LIVE_CLIENTS ?? 10_000);
const token = 'bench-live-clients-admin-token';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1]) / 1024;
}

async function settledRss(pid: number): Promise<number> {
  // RSS moves for a moment after a burst (heap growth, freed sockets); take it once it is still.
  let last = rssMiB(pid);
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 250));
    const now = rssMiB(pid);
    if (Math.abs(now - last) < 0.5) return now;
    last = now;
  }
  return last;
}

interface Client {
  versions: string[];
  waitFor(count: number): Promise<void>;
  req: http.ClientRequest;
}

function open(port: number, n: number): Promise<Client> {
  return new Promise((resolve, reject) => {
    const versions: string[] = [];
    let notify: () => void = () => {};
    const req = http.get(
      {
        host: '127.0.0.1',
        port,
        path: '/events',
        localAddress: `127.0.0.${2 + Math.floor(n / 20_000)}`,
        agent: false,
      },
      (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`/events answered ${res.statusCode}`));
          return;
        }
        res.setEncoding('utf8');
        let buf = '';
        res.on('data', (chunk: string) => {
          buf += chunk;
          let end = buf.indexOf('\n\n');
          while (end >= 0) {
            const id = /^id: (.+)$/m.exec(buf.slice(0, end));
            if (id) versions.push(id[1] as string);
            buf = buf.slice(end + 2);
            end = buf.indexOf('\n\n');
          }
          notify();
        });
        resolve({
          versions,
          req,
          waitFor: (count) =>
            new Promise<void>((done) => {
              if (versions.length >= count) return done();
              notify = () => {
                if (versions.length >= count) done();
              };
            }),
        });
      },
    );
    req.on('error', reject);
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    if (i > 200) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Opens every client, 200 at a time; resolves once each has its first state. */
async function openAll(port: number): Promise<{ all: Client[]; seconds: number }> {
  const started = performance.now();
  const all: Client[] = [];
  for (let i = 0; i < clients; i += 200) {
    const size = Math.min(200, clients - i);
    all.push(...(await Promise.all(Array.from({ length: size }, (_, k) => open(port, i + k)))));
  }
  await Promise.all(all.map((c) => c.waitFor(1)));
  return { all, seconds: (performance.now() - started) / 1000 };
}

/** The bare server's RSS per held stream, in KiB. */
async function bareKiBPerClient(): Promise<number> {
  const port = await freePort();
  const bare = spawn(process.execPath, [path.join(import.meta.dirname, 'lib/bare-sse.ts'), String(port)], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(`http://127.0.0.1:${port}/`);
    const warm = await open(port, 0);
    await warm.waitFor(1);
    warm.req.destroy();
    const before = await settledRss(bare.pid ?? 0);
    const { all } = await openAll(port);
    const held = await settledRss(bare.pid ?? 0);
    for (const c of all) c.req.destroy();
    return ((held - before) * 1024) / clients;
  } finally {
    bare.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-bench-live-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const crier: ChildProcess = spawn(process.execPath, [path.join(root, 'src/cli/main.ts'), 'serve'], {
    env: {
      ...process.env,
      CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
      CRIER_DEMO: 'false',
      CRIER_ADMIN_TOKEN: token,
      CRIER_LOG_LEVEL: 'warn',
      CRIER_WORKER: 'false',
      PORT: String(port),
      HOST: '127.0.0.1',
      CRIER_LIVE_MAX_TOTAL: String(clients),
      CRIER_LIVE_MAX_PER_ADDRESS: String(clients),
      CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: String(clients + 500),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const pid = crier.pid ?? 0;
  try {
    await waitReady(`${url}/readyz`);
    // Warm: the page, one stream, then the baseline.
    await (await fetch(url)).text();
    const warm = await open(port, 0);
    await warm.waitFor(1);
    warm.req.destroy();
    const before = await settledRss(pid);
    const { all, seconds: openSeconds } = await openAll(port);
    const held = await settledRss(pid);

    const pageStarted = performance.now();
    const page = await fetch(url);
    await page.text();
    const health = await fetch(`${url}/healthz`);
    const pageMs = performance.now() - pageStarted;

    const changeStarted = performance.now();
    const res = await fetch(`${url}/api/v1/incidents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench incident', body: 'We are looking into it.' }),
    });
    if (!res.ok) throw new Error(`declare: ${res.status}`);
    await Promise.all(all.map((c) => c.waitFor(2)));
    const fanOutMs = performance.now() - changeStarted;
    const after = await settledRss(pid);
    for (const c of all) c.req.destroy();
    crier.kill('SIGTERM');

    const perClientKiB = ((held - before) * 1024) / clients;
    const bare = await bareKiBPerClient();
    process.stdout.write(
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), Node.js ${process.version}\n` +
        `${clients} live clients held in ${openSeconds.toFixed(1)} s\n` +
        `  crier RSS ${before.toFixed(1)} MiB before, ${held.toFixed(1)} MiB holding them, ${after.toFixed(1)} MiB after one broadcast\n` +
        `  crier ${perClientKiB.toFixed(1)} KiB per client; bare Node.js server ${bare.toFixed(1)} KiB; ratio crier/bare ${(perClientKiB / bare).toFixed(2)}\n` +
        `  GET / and /healthz from 127.0.0.1 while held: ${page.status}, ${health.status} in ${pageMs.toFixed(0)} ms\n` +
        `  one change (declare through the API) reached every client in ${fanOutMs.toFixed(0)} ms\n`,
    );
  } finally {
    crier.kill('SIGTERM');
  }
}

await main();
