/**
 * What the page benchmarks share: starting a server pinned to one core,
 * waiting until it answers and until it has settled, loading it with
 * Debian's wrk pinned to the other core, and reading a process's CPU time
 * (whole, and per thread) from /proc.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export const serverCore = process.env.BENCH_SERVER_CORE ?? '0';
export const loadCore = process.env.BENCH_LOAD_CORE ?? '1';
/** What browsers send: Crier and the bare server answer with the same brotli bytes. */
export const browserEncoding = 'gzip, deflate, br, zstd';

/** Starts `node <cmd>` pinned to the server core. */
export function startPinned(cmd: string[], env: Record<string, string>): ChildProcess {
  return spawn('taskset', ['-c', serverCore, process.execPath, ...cmd], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export async function waitFor(url: string): Promise<void> {
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

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** User + system CPU time of a process, in seconds (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * A process's CPU time in seconds by kind of thread: its main (JavaScript)
 * thread, V8's worker threads (concurrent marking, parallel scavenges,
 * optimising compilation), libuv's thread pool, and the rest.
 */
export function threadSeconds(pid: number): Record<'main' | 'v8' | 'libuv' | 'other', number> {
  const out = { main: 0, v8: 0, libuv: 0, other: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
    const kind =
      tid === String(pid)
        ? 'main'
        : name.startsWith('V8')
          ? 'v8'
          : name.startsWith('libuv')
            ? 'libuv'
            : 'other';
    out[kind] += seconds;
  }
  return out;
}

/** Waits (at most a minute) until a process spends under 2 % of a core for a whole second. */
export async function settle(pid: number): Promise<void> {
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

export interface WrkResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
}

/** One wrk run (one thread, pinned to the load core) against a URL; throws on any non-2xx answer. */
export function wrk(
  url: string,
  seconds: number,
  connections: number,
  headers: Record<string, string>,
): WrkResult {
  const extra = Object.entries(headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const out = execFileSync(
    'taskset',
    ['-c', loadCore, 'wrk', '-t1', `-c${connections}`, `-d${seconds}s`, '--latency', ...extra, url],
    { encoding: 'utf8' },
  );
  if (/Non-2xx/.test(out)) throw new Error(`wrk saw errors:\n${out}`);
  return {
    requests: Number(/(\d+) requests in/.exec(out)?.[1]),
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]),
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1] ?? ''),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1] ?? ''),
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};
