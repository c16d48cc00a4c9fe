/**
 * The page's two garbage-collection states, watched without changing them.
 *
 * Starts `crier serve` as bench/status-page.ts does (the page of
 * bench/lib/page-seed.ts, the Node.js flags of bin/crier.js, pinned to core
 * 0), with a bench-only preload (bench/lib/gc-observer.ts) that records its
 * collections by kind and V8's heap statistics once a second; lets it
 * settle; loads `GET /` with wrk on core 1; and reads the CPU of each of
 * its threads from /proc. Over several starts, it prints per start the CPU
 * per request of the main thread and of V8's worker threads, collections
 * per 10,000 requests by kind, and the young and old generation's sizes
 * under load and how fast the old generation grows per request, then the
 * same as medians for the starts in each state.
 *
 *   npm run bench -- page-gc [--starts 8] [--seconds 10] [--flags=--min-semi-space-size=8] [--no-observer] [--timeline] [--perf] [--promoted]
 *
 * `--flags=…` adds Node.js/V8 flags after those of bin/crier.js, to try
 * one; `--timeline` prints each start's load second by second; `--perf`
 * samples the process with `perf record` under load and prints where V8's
 * worker threads spent their time; `--promoted` prints what outlived the
 * young generation under load, by allocating stack (V8's sampling heap
 * profiler, through the preload).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { copyFileSync, createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { crierArgs } from './lib/crier-process.ts';
import {
  browserEncoding,
  freePort,
  median,
  settle,
  startPinned,
  threadSeconds,
  waitFor,
  wrk,
} from './lib/page-load.ts';
import { seed } from './lib/page-seed.ts';

const { values: opts } = parseArgs({
  options: {
    starts: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    flags: { type: 'string', default: '' },
    'no-observer': { type: 'boolean', default: false },
    path: { type: 'string', default: '/' },
    timeline: { type: 'boolean', default: false },
    perf: { type: 'boolean', default: false },
    promoted: { type: 'boolean', default: false },
  },
});
const starts = Number(opts.starts);
if (opts.promoted && opts['no-observer'])
  throw new Error('--promoted needs the observer (drop --no-observer)');
const seconds = Number(opts.seconds);
const extraFlags = (opts.flags ?? '').split(/\s+/).filter(Boolean);
const observer = path.join(import.meta.dirname, 'lib/gc-observer.ts');
/**
 * V8's worker threads above this many µs per request: the bad state on a quiet
 * machine (good starts measured 1–2, bad ones 5–7). On a loaded one, the
 * compiler's warm-up alone can pass it: read the `--perf` breakdown there.
 */
const badAboveUs = 3;
const perfHz = 997;

interface Sample {
  t: number;
  gc: Record<string, { n: number; ms: number }>;
  cpu: { main: number; v8: number };
  heap: { total: number; used: number; limit: number; available: number };
  spaces: Record<string, { size: number; used: number; available: number }>;
}

interface StartResult {
  rps: number;
  mainUs: number;
  v8Us: number;
  libuvUs: number;
  otherUs: number;
  /** Per 10,000 requests: collections and their milliseconds, by kind. */
  per10k: Record<string, { n: number; ms: number }>;
  /** Growth of the old generation per request: the sum of its rises from second to second (what requests put there). */
  oldGrowthB: number;
  newSpaceMb: [number, number];
  oldSizeMb: [number, number];
  oldUsedMb: [number, number];
}

function readSamples(file: string): Sample[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Sample);
}

const mb = (bytes: number) => bytes / 1048576;
const range = (xs: number[]): [number, number] => [Math.min(...xs), Math.max(...xs)];

async function oneStart(pristine: string, dir: string, n: number): Promise<StartResult> {
  const dbFile = path.join(dir, `crier-${n}.db`);
  copyFileSync(pristine, dbFile);
  const log = path.join(dir, `gc-${n}.jsonl`);
  const promotedFile = path.join(dir, `promoted-${n}.json`);
  const port = await freePort();
  const preload = opts['no-observer'] ? [] : ['--import', observer];
  const crier: ChildProcess = startPinned([...preload, ...extraFlags, ...crierArgs(['serve'])], {
    CRIER_DATABASE_URL: `sqlite:${dbFile}`,
    CRIER_DEMO: 'false',
    PORT: String(port),
    HOST: '127.0.0.1',
    CRIER_PAGE_NAME: 'Acme Cloud',
    CRIER_BENCH_GC_LOG: log,
    ...(opts.promoted ? { CRIER_BENCH_PROMOTED: promotedFile } : {}),
  });
  // Crier's own output (its log, and whatever a flag such as --trace-deopt prints) goes to a
  // file: a pipe nobody reads would fill and stop the process.
  const output = path.join(dir, `stdout-${n}.txt`);
  crier.stdout?.pipe(createWriteStream(output));
  const pid = crier.pid ?? 0;
  const url = `http://127.0.0.1:${port}${opts.path}`;
  try {
    await waitFor(`http://127.0.0.1:${port}/readyz`);
    await settle(pid);
    const headers = { 'accept-encoding': browserEncoding };
    // As bench/status-page.ts: a short warm-up, then the measured run.
    if (Number(opts.warmup) > 0) wrk(url, Number(opts.warmup), 50, headers);
    const before = threadSeconds(pid);
    const from = readSamples(log).at(-1);
    const perfData = path.join(dir, `perf-${n}.data`);
    const recorder = opts.perf
      ? spawn(
          'perf',
          ['record', '-q', '-e', 'cpu-clock', '-F', String(perfHz), '-p', String(pid), '-o', perfData],
          {
            stdio: 'ignore',
          },
        )
      : undefined;
    if (opts.promoted) crier.kill('SIGUSR2');
    const run = wrk(url, seconds, 50, headers);
    if (opts.promoted) {
      crier.kill('SIGUSR2');
      await until(() => existsSync(promotedFile));
      const top = JSON.parse(readFileSync(promotedFile, 'utf8')) as [string, number][];
      const total = top.reduce((sum, [, b]) => sum + b, 0);
      // Node.js's HTTP server and the streams under it: a request's own objects.
      const http = top.filter(([stack]) => /_http_|readable|writable|stream_base_commons/.test(stack));
      const httpBytes = http.reduce((sum, [, b]) => sum + b, 0);
      process.stdout.write(
        `  outlived the young generation: ${f1(total / run.requests)} bytes per request, ${f1(httpBytes / run.requests)} of them allocated by the HTTP server and its streams; by allocating stack:\n` +
          top
            .slice(0, 6)
            .map(([stack, b]) => `    ${f1(b / run.requests).padStart(6)}  ${stack}\n`)
            .join(''),
      );
    }
    if (recorder) {
      recorder.kill('SIGINT');
      await new Promise((r) => recorder.once('exit', r));
      const us = perfReport(perfData, run.requests);
      process.stdout.write(
        `  V8's threads in perf samples, µs/req: ${Object.entries(us)
          .sort((a, b) => b[1] - a[1])
          .map(([k, v]) => `${k} ${f1(v)}`)
          .join(', ')}\n`,
      );
    }
    const after = threadSeconds(pid);
    await new Promise((r) => setTimeout(r, 1100));
    const samples = readSamples(log);
    const to = samples.at(-1);
    const during = samples.filter((s) => from && to && s.t > from.t && s.t <= to.t);
    const perReq = (k: 'main' | 'v8' | 'other' | 'libuv') => ((after[k] - before[k]) / run.requests) * 1e6;
    const per10k: StartResult['per10k'] = {};
    if (from && to) {
      for (const kind of Object.keys(to.gc)) {
        const a = from.gc[kind] ?? { n: 0, ms: 0 };
        const b = to.gc[kind] ?? { n: 0, ms: 0 };
        per10k[kind] = { n: ((b.n - a.n) / run.requests) * 1e4, ms: ((b.ms - a.ms) / run.requests) * 1e4 };
      }
    }
    if (opts.timeline) process.stdout.write(timeline(from ? [from, ...during] : during));
    const space = (name: string, field: 'size' | 'used') =>
      during.map((s) => mb(s.spaces[name]?.[field] ?? 0));
    let grown = 0;
    const series = from ? [from, ...during] : during;
    for (let i = 1; i < series.length; i++) {
      const rise = (series[i]?.spaces.old_space?.used ?? 0) - (series[i - 1]?.spaces.old_space?.used ?? 0);
      if (rise > 0) grown += rise;
    }
    return {
      rps: run.rps,
      oldGrowthB: grown / run.requests,
      mainUs: perReq('main'),
      v8Us: perReq('v8'),
      libuvUs: perReq('libuv'),
      otherUs: perReq('other'),
      per10k,
      newSpaceMb: range(space('new_space', 'size')),
      oldSizeMb: range(space('old_space', 'size')),
      oldUsedMb: range(space('old_space', 'used')),
    };
  } finally {
    crier.kill('SIGTERM');
    await new Promise((r) => crier.once('exit', r));
  }
}

const f1 = (x: number) => x.toFixed(1);

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
}

/** What a V8 worker thread's sample was doing, by the function it was in. */
function bucket(symbol: string): string {
  if (/compiler::|turboshaft|maglev|Maglev|Compil|Zone|Turbofan/.test(symbol)) return 'compiling';
  if (/Scaveng|Semi|NewSpace|Minor/.test(symbol)) return 'scavenging';
  if (/Mark|Marking/.test(symbol)) return 'marking';
  if (/Sweep|Evacuat|Compact|Heap|heap::|Slot|RememberedSet|Page/.test(symbol)) return 'other GC';
  return 'other';
}

/** Where V8's worker threads spent the samples `perf record` took of them, in µs per request by kind of work. */
function perfReport(file: string, requests: number): Record<string, number> {
  const out = execFileSync('perf', ['report', '-i', file, '--stdio', '-n', '--sort', 'comm,sym'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  const us: Record<string, number> = {};
  for (const l of out.split('\n')) {
    const m = /^\s*[\d.]+%\s+(\d+)\s+V8Worker\s+\[.\]\s+(.*)$/.exec(l);
    if (!m) continue;
    const kind = bucket(m[2] ?? '');
    us[kind] = (us[kind] ?? 0) + ((Number(m[1]) / perfHz) * 1e6) / requests;
  }
  return us;
}

/** Second by second under load: CPU of the main thread and V8's threads, collections, the heap's spaces. */
function timeline(samples: Sample[]): string {
  let out = '  s   main ms  V8 ms  minor major incr  new MB  old used/size MB\n';
  for (let i = 1; i < samples.length; i++) {
    const a = samples[i - 1] as Sample;
    const b = samples[i] as Sample;
    const d = (k: string) => (b.gc[k]?.n ?? 0) - (a.gc[k]?.n ?? 0);
    const mbOf = (name: string, f: 'size' | 'used') => f1(mb(b.spaces[name]?.[f] ?? 0));
    out += `  ${String(i).padStart(2)} ${String(Math.round((b.cpu.main - a.cpu.main) * 1000)).padStart(8)} ${String(Math.round((b.cpu.v8 - a.cpu.v8) * 1000)).padStart(6)} ${String(d('minor')).padStart(6)} ${String(d('major')).padStart(5)} ${String(d('incremental')).padStart(4)} ${mbOf('new_space', 'size').padStart(7)}  ${mbOf('old_space', 'used')}/${mbOf('old_space', 'size')}\n`;
  }
  return out;
}
const kinds = ['minor', 'major', 'incremental', 'weakcb'];

function line(label: string, r: StartResult): string {
  const gc = kinds.map((k) => `${k} ${f1(r.per10k[k]?.n ?? 0)} (${f1(r.per10k[k]?.ms ?? 0)} ms)`).join(', ');
  return (
    `${label.padEnd(12)} ${r.rps.toFixed(0).padStart(6)} req/s  µs/req: main ${f1(r.mainUs)}, V8 threads ${f1(r.v8Us)}, libuv ${f1(r.libuvUs)}, other ${f1(r.otherUs)}\n` +
    `${''.padEnd(12)} per 10k requests: ${gc}; old generation grows ${r.oldGrowthB.toFixed(0)} bytes per request\n` +
    `${''.padEnd(12)} under load, MB: new space ${r.newSpaceMb.map(f1).join('–')}, old space ${r.oldSizeMb.map(f1).join('–')} (used ${r.oldUsedMb.map(f1).join('–')})\n`
  );
}

function summary(label: string, rs: StartResult[]): string {
  if (rs.length === 0) return `${label}: no start\n`;
  const m = (f: (r: StartResult) => number) => median(rs.map(f));
  const per10k: StartResult['per10k'] = {};
  for (const k of kinds) per10k[k] = { n: m((r) => r.per10k[k]?.n ?? 0), ms: m((r) => r.per10k[k]?.ms ?? 0) };
  return line(`${label} (${rs.length})`, {
    rps: m((r) => r.rps),
    mainUs: m((r) => r.mainUs),
    v8Us: m((r) => r.v8Us),
    libuvUs: m((r) => r.libuvUs),
    otherUs: m((r) => r.otherUs),
    per10k,
    oldGrowthB: m((r) => r.oldGrowthB),
    newSpaceMb: [m((r) => r.newSpaceMb[0]), m((r) => r.newSpaceMb[1])],
    oldSizeMb: [m((r) => r.oldSizeMb[0]), m((r) => r.oldSizeMb[1])],
    oldUsedMb: [m((r) => r.oldUsedMb[0]), m((r) => r.oldUsedMb[1])],
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const pristine = path.join(dir, 'seed.db');
  await seed(pristine);
  const flags = [...crierArgs([]).filter((a) => a.startsWith('--')), ...extraFlags].join(' ');
  process.stdout.write(
    `GET ${opts.path} (brotli), wrk -t1 -c50 -d${seconds}s after Crier settles and a ${opts.warmup}-second warm-up; ${starts} starts; ` +
      `Node.js flags: ${flags}${opts['no-observer'] ? '; no observer' : ''}; load average ${os.loadavg()[0]?.toFixed(1)}\n\n`,
  );
  const results: StartResult[] = [];
  for (let n = 1; n <= starts; n++) {
    const r = await oneStart(pristine, dir, n);
    results.push(r);
    process.stdout.write(line(`start ${n} ${r.v8Us > badAboveUs ? 'bad' : 'good'}`, r));
    if (extraFlags.length > 0)
      process.stdout.write(`             Crier's output: ${path.join(dir, `stdout-${n}.txt`)}\n`);
  }
  process.stdout.write(
    `\nMedians by state (bad: V8's threads above ${badAboveUs} µs per request); load average ${os.loadavg()[0]?.toFixed(1)}\n`,
  );
  process.stdout.write(
    summary(
      'good',
      results.filter((r) => r.v8Us <= badAboveUs),
    ),
  );
  process.stdout.write(
    summary(
      'bad',
      results.filter((r) => r.v8Us > badAboveUs),
    ),
  );
}

await main();
