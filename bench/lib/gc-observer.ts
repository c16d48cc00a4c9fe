/**
 * A bench-only preload (`node --import ./bench/lib/gc-observer.ts …`) that
 * watches a process's garbage collector without changing how V8 schedules
 * it (`--trace-gc` prints from inside each pause, which does): a
 * `PerformanceObserver` on `gc` entries counts collections and their
 * duration by kind, and once a second the process appends one JSON line to
 * the file named by `CRIER_BENCH_GC_LOG` with those totals so far and V8's
 * heap and heap-space statistics and the CPU time of its main thread and of
 * V8's worker threads. Nothing in src/ knows of it.
 *
 * With `CRIER_BENCH_PROMOTED` naming a file, `SIGUSR2` starts V8's sampling
 * heap profiler keeping only objects no scavenge collected (those promoted
 * to, or allocated in, the old generation, and those still alive), and a
 * second `SIGUSR2` writes the bytes sampled by allocating stack to the file.
 */
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

const file = process.env.CRIER_BENCH_GC_LOG;

const kinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
/** Per kind: collections so far and their total duration in milliseconds. */
const totals: Record<string, { n: number; ms: number }> = {};
for (const kind of Object.values(kinds)) totals[kind] = { n: 0, ms: 0 };

if (file) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[(entry as unknown as { detail: { kind: number } }).detail.kind] ?? 'other';
      const t = totals[kind] ?? { n: 0, ms: 0 };
      totals[kind] = t;
      t.n++;
      t.ms += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });

  /** CPU seconds so far of V8's worker threads and of the main thread (Linux /proc). */
  const threads = () => {
    const out = { main: 0, v8: 0 };
    for (const tid of readdirSync('/proc/self/task')) {
      try {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const seconds = (Number(fields[11]) + Number(fields[12])) / 100;
        if (tid === String(process.pid)) out.main += seconds;
        else if (name.startsWith('V8')) out.v8 += seconds;
      } catch {
        // the thread ended
      }
    }
    return out;
  };
  const sample = () => {
    const heap = v8.getHeapStatistics();
    const spaces: Record<string, { size: number; used: number; available: number }> = {};
    for (const s of v8.getHeapSpaceStatistics()) {
      spaces[s.space_name] = {
        size: s.space_size,
        used: s.space_used_size,
        available: s.space_available_size,
      };
    }
    const line = {
      t: Date.now(),
      gc: totals,
      cpu: threads(),
      heap: {
        total: heap.total_heap_size,
        used: heap.used_heap_size,
        limit: heap.heap_size_limit,
        available: heap.total_available_size,
        external: heap.external_memory,
      },
      spaces,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  };
  sample();
  setInterval(sample, 1000).unref();
}

/** Sampled bytes by the innermost frames of the stack that allocated them. */
interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

const promoted = process.env.CRIER_BENCH_PROMOTED;
if (promoted) {
  const session = new Session();
  session.connect();
  let sampling = false;
  process.on('SIGUSR2', async () => {
    if (!sampling) {
      sampling = true;
      await session.post('HeapProfiler.startSampling', {
        samplingInterval: 256,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: false,
      });
      return;
    }
    sampling = false;
    const { profile } = await session.post('HeapProfiler.stopSampling');
    const bytes = new Map<string, number>();
    const walk = (node: ProfileNode, stack: string[]) => {
      const f = node.callFrame;
      const frame = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\//, '')}:${f.lineNumber + 1}`;
      const here = [frame, ...stack].slice(0, 3);
      if (node.selfSize > 0) bytes.set(here.join(' < '), (bytes.get(here.join(' < ')) ?? 0) + node.selfSize);
      for (const child of node.children) walk(child, here);
    };
    walk(profile.head as unknown as ProfileNode, []);
    writeFileSync(promoted, JSON.stringify([...bytes].sort((a, b) => b[1] - a[1])));
  });
}
