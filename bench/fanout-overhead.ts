/**
 * Crier's own CPU per delivery in a fan-out, without the network: the
 * worker as `crier serve` starts it (and bench/fanout.ts measures it), on a
 * fresh SQLite file of N confirmed subscribers, with its lane's channel
 * replaced by one that answers `ok` on the next turn of the event loop. What
 * is left is what Crier adds to a raw client's sends: the update's
 * transaction, the fan-out's batches, the lanes, rendering each message, the
 * durable row's outcome, metrics, and the garbage of all of it. The email
 * stand-in renders the email as the SMTP channel does (nodemailer's own work
 * is not counted; the raw client pays it too).
 *
 *   npm run bench -- fanout-overhead [--deliveries N] [--kind webhook|email] [--rounds R]
 *
 * Each round runs in a process of its own, with the flags `bin/crier.js`
 * starts with. Prints the CPU time (all threads) per delivery from the
 * publish until every outcome is written, each round and the median. Far
 * steadier than bench/fanout.ts on a shared machine: run it from two
 * checkouts, alternating, to compare builds. BENCH_CPU_PROFILE=<dir> writes
 * a CPU profile of each round's measured time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
// The process holds what `crier serve` holds (its HTTP app and status page), as the embedded
// default's in-process worker runs beside them; `crier worker` alone loads less (src/worker.ts).
import '../src/app.ts';
import { renderEmail } from '../src/channels/email-render.ts';
import type { Channel } from '../src/channels/types.ts';
import { loadConfig } from '../src/config.ts';
import { buildChannelSet, type LaneSettings } from '../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../src/delivery/metrics.ts';
import { Worker } from '../src/delivery/worker.ts';
import { type Ctx, systemActor, systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { ChangeBus } from '../src/store/changes.ts';
import { migrate, openDatabase } from '../src/store/db.ts';
import { deliveryServices } from '../src/worker.ts';
import { seedSubscribers } from '../test/helpers/db.ts';

const { values } = parseArgs({
  options: {
    deliveries: { type: 'string', default: '20000' },
    kind: { type: 'string', default: 'webhook' },
    rounds: { type: 'string', default: '5' },
    /** One round in this process (the parent starts one per round). */
    child: { type: 'boolean', default: false },
  },
});
const n = Number(values.deliveries);
const kind = values.kind === 'email' ? 'email' : 'webhook';

async function seed(file: string): Promise<void> {
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  await seedSubscribers(db, n, kind, (i) =>
    kind === 'email' ? `user${i}@example.com` : `http://127.0.0.1:9/hook/${i}`,
  );
  await db.destroy();
}

/** One round: the CPU time per delivery (µs) from the publish until every outcome is written. */
async function round(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const file = path.join(dir, 'crier.db');
  await seed(file);
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  const config = loadConfig({
    CRIER_DEMO: 'false',
    CRIER_DELIVERY_HOST_RATE: '0',
    CRIER_PLAN: path.join(dir, 'none.yaml'),
  });
  const ctx: Ctx = {
    db,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    config,
    changes: new ChangeBus(),
    actor: systemActor,
  };
  const channels = buildChannelSet(
    kind === 'email'
      ? {
          email: {
            type: 'email-smtp',
            url: 'smtp://127.0.0.1:9/?tls=false',
            from: 'status@crier.test',
            connections: 5,
          },
        }
      : { webhook: { type: 'webhook', concurrency: 64 } },
    { allowPrivateNetwork: true, userAgent: 'bench' },
  );
  let sent = 0;
  let allSent = () => {};
  const done = new Promise<void>((resolve) => {
    allSent = resolve;
  });
  const lane = channels.lanes.get(kind) as LaneSettings;
  const real = lane.channel;
  const standIn: Channel = {
    name: real.name,
    type: real.type,
    async send(_target, message) {
      if (kind === 'email') renderEmail(message);
      await new Promise((resolve) => setImmediate(resolve));
      if (++sent === n) allSent();
      return { ok: true };
    },
    close: () => real.close(),
  };
  lane.channel = standIn;
  const worker = new Worker(ctx, deliveryServices(ctx), channels, new DeliveryMetrics());
  worker.start();
  const profileDir = process.env.BENCH_CPU_PROFILE;
  const session = profileDir ? new inspector.Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu = process.cpuUsage();
  await declareIncident(ctx, {
    name: 'Checkout errors',
    body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  });
  await done;
  // Stopping writes the last outcomes.
  await worker.stop();
  const used = process.cpuUsage(cpu);
  if (session && profileDir) {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(profileDir, { recursive: true });
    fs.writeFileSync(
      path.join(profileDir, `overhead-${kind}-${process.pid}.cpuprofile`),
      JSON.stringify(profile),
    );
    session.disconnect();
  }
  const written = await db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('state', '=', 'sent')
    .executeTakeFirstOrThrow();
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  if (Number(written.n) !== n) throw new Error(`${written.n} of ${n} deliveries recorded sent`);
  return (used.user + used.system) / n;
}

if (values.child) {
  process.stdout.write(`${await round()}\n`);
} else {
  /** The Node.js flags `crier` starts with (the first line of bin/crier.js). */
  const flags = (
    fs.readFileSync(path.join(import.meta.dirname, '../bin/crier.js'), 'utf8').split('\n')[0] ?? ''
  )
    .split(/\s+/)
    .filter((arg) => arg.startsWith('--'));
  const load = () =>
    os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ');
  process.stdout.write(`${n} ${kind} deliveries per round; load average before: ${load()}\n`);
  const results: number[] = [];
  for (let r = 0; r < Number(values.rounds); r++) {
    const child = spawnSync(
      process.execPath,
      [...flags, import.meta.filename, '--child', '--deliveries', String(n), '--kind', kind],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const us = Number(child.stdout.trim().split('\n').at(-1));
    if (!Number.isFinite(us)) throw new Error(`round ${r + 1} failed`);
    results.push(us);
    process.stdout.write(`round ${r + 1}: ${us.toFixed(1)} µs of CPU per delivery\n`);
  }
  const sorted = [...results].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
  process.stdout.write(`median ${median.toFixed(1)} µs of CPU per delivery; load average after: ${load()}\n`);
}
