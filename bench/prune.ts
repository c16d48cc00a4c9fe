/**
 * Retention against a live page: `crier serve` on SQLite with 100,000 sent
 * deliveries past their age, and the prune run in the same process (as the
 * worker inside `crier serve` runs it) while a client asks for GET / and
 * GET /readyz (which reads the database) one request after another. Prints
 * the answers' p50, p99 and worst time while idle and during the prune, how
 * long the prune took and the pages it gave back. Nothing is asserted.
 *
 *   npm run bench -- prune          BENCH_ROWS=100000
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { pruneExpired } from '../src/services/retention/prune.ts';
import { migrate, openDatabase } from '../src/store/db.ts';

const rows = Number(process.env.BENCH_ROWS ?? 100_000);
const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'crier-bench-prune-')), 'crier.db');

async function seed(): Promise<void> {
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  await db.destroy();
  const raw = new SqliteDatabase(file);
  const insert = raw.prepare(
    `insert into deliveries (id, subject_type, subject_id, subscriber_id, channel, state, attempts, next_attempt_at, created_at, updated_at)
     values (?, 'incident_update', ?, ?, 'email', 'sent', 1, ?, ?, ?)`,
  );
  const old = '2025-01-01T00:00:00.000Z';
  raw.transaction(() => {
    for (let i = 0; i < rows; i++)
      insert.run(`d${String(i).padStart(9, '0')}`, `u${i % 50}`, `s${i}`, old, old, old);
  })();
  raw.close();
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

async function load(base: string, until: () => boolean): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = { '/': [], '/readyz': [] };
  while (!until()) {
    for (const p of Object.keys(times)) {
      const start = performance.now();
      const res = await fetch(`${base}${p}`);
      await res.arrayBuffer();
      times[p]?.push(performance.now() - start);
    }
  }
  return times;
}

function report(label: string, times: Record<string, number[]>): void {
  for (const [p, list] of Object.entries(times)) {
    const sorted = [...list].sort((a, b) => a - b);
    process.stdout.write(
      `${label.padEnd(14)} GET ${p.padEnd(8)} n=${String(sorted.length).padStart(5)}  p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms  max ${(sorted.at(-1) ?? 0).toFixed(1)} ms\n`,
    );
  }
}

await seed();
const config = loadConfig({
  CRIER_DATABASE_URL: `sqlite:${file}`,
  PORT: '0',
  HOST: '127.0.0.1',
  CRIER_DEMO: 'false',
  CRIER_LOG_LEVEL: 'silent',
});
const app = await createApp(config, { timers: false, worker: false });
const base = await app.listen();
const idleUntil = performance.now() + 3000;
report('idle', await load(base, () => performance.now() > idleUntil));
let done = false;
const started = performance.now();
const prune = pruneExpired(app.systemCtx).finally(() => {
  done = true;
});
const during = await load(base, () => done);
const result = await prune;
report('during prune', during);
process.stdout.write(
  `prune: ${result.deliveries} deliveries in ${((performance.now() - started) / 1000).toFixed(1)} s, ${result.pages_freed} pages given back\n`,
);
await app.close();
