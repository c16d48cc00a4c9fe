/**
 * Fan-out: 100,000 confirmed email subscribers and one published update,
 * delivered by Crier's worker to a local SMTP server, against the fastest
 * raw client (a nodemailer pool over TCP_NODELAY sockets) sending the same
 * messages to the same server over the same number of connections; then
 * 10,000 webhook subscribers against raw undici at the same concurrency.
 *
 *   npm run bench -- fanout [--emails N] [--webhooks N] [--rounds R]
 *
 * Five rounds by default (`--rounds 1` and fewer messages while developing).
 * Prints messages per second, total time, CPU time per message, peak RSS,
 * the time from the publish (Crier) or the first send (raw) until 50 %, 95 %
 * and 100 % of the recipients had their message (the time to reach
 * everyone), and the ratio Crier/raw (medians over the rounds), with the
 * machine's load average before and after. BENCH_CPU_PROFILE=<dir>
 * writes a CPU profile of each side's measured time alone into <dir>, and
 * BENCH_HEAP_PROFILE=<dir> a sample of its allocations.
 */

import { spawn, spawnSync } from 'node:child_process';
import { createHmac, createSecretKey } from 'node:crypto';
import fs from 'node:fs';
import inspector from 'node:inspector/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import nodemailer from 'nodemailer';
import pino from 'pino';
import { Agent, request } from 'undici';
// The process holds what `crier serve` holds (its HTTP app and status page), as the embedded
// default's in-process worker runs beside them; `crier worker` alone loads less (src/worker.ts).
import '../src/app.ts';
import { renderEmail } from '../src/channels/email-render.ts';
import type { Message } from '../src/channels/types.ts';
import { loadConfig } from '../src/config.ts';
import { buildChannelSet } from '../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../src/delivery/metrics.ts';
import { Renderer } from '../src/delivery/render.ts';
import { Worker } from '../src/delivery/worker.ts';
import { type Ctx, systemActor, systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { ChangeBus } from '../src/store/changes.ts';
import { migrate, openDatabase } from '../src/store/db.ts';
import { newId } from '../src/store/ids.ts';
import { deliveryServices } from '../src/worker.ts';
import { seedSubscribers } from '../test/helpers/db.ts';

const { values } = parseArgs({
  options: {
    emails: { type: 'string', default: '100000' },
    webhooks: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    /** Run one side only (for profiling): crier or raw. */
    only: { type: 'string' },
    side: { type: 'string' },
    kind: { type: 'string' },
    port: { type: 'string' },
    control: { type: 'string' },
    /** Crier's side: the SQLite file the parent seeded. */
    db: { type: 'string' },
  },
});
const emails = Number(values.emails);
const webhooks = Number(values.webhooks);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const concurrency = Number(values.concurrency);
const runRaw = values.only !== 'crier';
const runCrier = values.only !== 'raw';

interface Sink {
  port: number;
  control: number;
  stop(): void;
}

async function startSink(kind: 'smtp' | 'http'): Promise<Sink> {
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'lib/sinks.ts'), kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port, control] = await new Promise<number[]>((resolve) => {
    child.stdout.once('data', (d: Buffer) => resolve(String(d).trim().split(' ').slice(1).map(Number)));
  });
  return { port: port ?? 0, control: control ?? 0, stop: () => child.kill() };
}

async function sinkCount(control: number, reset = false): Promise<number> {
  const res = await request(`http://127.0.0.1:${control}/`, { method: reset ? 'POST' : 'GET' });
  return Number(await res.body.text());
}

/** When the sink saw 50 %, 95 % and 100 % of `n` recipients, in seconds after `since` (epoch ms). */
async function reachOf(control: number, n: number, since: number): Promise<Reach> {
  const res = await request(`http://127.0.0.1:${control}/stats?n=${n}`);
  const s = (await res.body.json()) as { at50: number; at95: number; at100: number; duplicates: number };
  return {
    reach50: (s.at50 - since) / 1000,
    reach95: (s.at95 - since) / 1000,
    reach100: (s.at100 - since) / 1000,
    duplicates: s.duplicates,
  };
}

interface Reach {
  reach50: number;
  reach95: number;
  reach100: number;
  duplicates: number;
}

/** Waits, with one request, until the sink has received `n` messages. */
async function until(control: number, n: number): Promise<void> {
  const res = await request(`http://127.0.0.1:${control}/?until=${n}`, {
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  await res.body.text();
}

interface Measured extends Reach {
  seconds: number;
  /** CPU time (user and system, all threads) of the sending process over the measured time. */
  cpuMs: number;
}

/**
 * Starts timing; the returned function gives the elapsed time and the process's CPU time since.
 * With BENCH_CPU_PROFILE=<dir>, the measured time alone is also profiled into that directory;
 * with BENCH_HEAP_PROFILE=<dir>, its allocations are sampled (every 32 KiB, collected or not)
 * into a .heapprofile there.
 */
async function startClock(): Promise<() => Promise<{ seconds: number; cpuMs: number }>> {
  const cpuDir = process.env.BENCH_CPU_PROFILE;
  const heapDir = process.env.BENCH_HEAP_PROFILE;
  const session = cpuDir || heapDir ? new inspector.Session() : undefined;
  if (session) session.connect();
  if (session && cpuDir) {
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  if (session && heapDir) {
    await session.post('HeapProfiler.enable');
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 32 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  const started = performance.now();
  const cpu = process.cpuUsage();
  return async () => {
    const used = process.cpuUsage(cpu);
    const measured = {
      seconds: (performance.now() - started) / 1000,
      cpuMs: (used.user + used.system) / 1000,
    };
    const name = `${values.side}-${values.kind}-${process.pid}`;
    if (session && cpuDir) {
      const { profile } = await session.post('Profiler.stop');
      fs.mkdirSync(cpuDir, { recursive: true });
      fs.writeFileSync(path.join(cpuDir, `${name}.cpuprofile`), JSON.stringify(profile));
    }
    if (session && heapDir) {
      const { profile } = await session.post('HeapProfiler.stopSampling');
      fs.mkdirSync(heapDir, { recursive: true });
      fs.writeFileSync(path.join(heapDir, `${name}.heapprofile`), JSON.stringify(profile));
    }
    session?.disconnect();
    return measured;
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[(s.length - 1) / 2] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

async function crierRun(
  n: number,
  sink: { port: number; control: number },
  channels: Parameters<typeof buildChannelSet>[0],
): Promise<Measured> {
  // The database was seeded by the parent process: this one starts as `crier serve` would, on a
  // database that already holds its subscribers, without having loaded them itself.
  const file = values.db ?? '';
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  const config = loadConfig({
    CRIER_DEMO: 'false',
    CRIER_ALLOW_PRIVATE_NETWORK: 'true',
    // Every webhook goes to the one local receiver: unpaced, as a raw client would send.
    CRIER_DELIVERY_HOST_RATE: '0',
    CRIER_PLAN: path.join(path.dirname(file), 'none.yaml'),
  });
  const ctx: Ctx = {
    db,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    config,
    changes: new ChangeBus(),
    actor: systemActor,
  };
  await sinkCount(sink.control, true);
  const worker = new Worker(
    ctx,
    deliveryServices(ctx),
    buildChannelSet(channels, { allowPrivateNetwork: true, userAgent: 'bench' }),
    new DeliveryMetrics(),
  );
  worker.start();
  const clock = await startClock();
  const published = performance.timeOrigin + performance.now();
  await declareIncident(ctx, {
    name: 'Checkout errors',
    body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  });
  const probe = process.env.BENCH_MEMORY
    ? setInterval(() => {
        const m = process.memoryUsage();
        process.stderr.write(
          `rss ${Math.round(m.rss / 2 ** 20)} heapUsed ${Math.round(m.heapUsed / 2 ** 20)} heapTotal ${Math.round(m.heapTotal / 2 ** 20)} external ${Math.round(m.external / 2 ** 20)}\n`,
        );
      }, 2000)
    : undefined;
  await until(sink.control, n);
  clearInterval(probe);
  const measured = await clock();
  await worker.stop();
  await db.destroy();
  return { ...measured, ...(await reachOf(sink.control, n, published)) };
}

/** The message Crier renders for the benchmark's update, so the raw clients send the same bytes. */
async function renderedTemplate(): Promise<Message> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const db = openDatabase(`sqlite:${path.join(dir, 'crier.db')}`);
  await migrate(db);
  const config = loadConfig({ CRIER_DEMO: 'false', CRIER_PLAN: path.join(dir, 'none.yaml') });
  const ctx: Ctx = {
    db,
    clock: systemClock,
    log: pino({ level: 'silent' }),
    config,
    changes: new ChangeBus(),
    actor: systemActor,
  };
  const incident = await declareIncident(ctx, { name: 'Checkout errors', body: updateBody });
  const services = deliveryServices(ctx);
  // With a subscriber, so an email carries the feedback link each of Crier's does.
  const message = await new Renderer(services.subjectMessage, config.publicUrl, {
    feedbackCodes: services.feedbackCode,
  }).render({
    deliveryId: newId(),
    subjectType: 'incident_update',
    subjectId: incident.incident_updates[0]?.id ?? '',
    token: `${newId()}${newId()}`,
    subscriberId: templateSubscriber,
    confirmToken: null,
    secret: null,
  });
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
  return message;
}

const updateBody = 'Card payments fail for some customers. Next update by 14:30 UTC.';
/** The subscriber the raw clients' template is rendered for; each message puts its own id in its place. */
const templateSubscriber = newId();

async function rawEmail(
  n: number,
  sink: { port: number; control: number },
  template: Message,
): Promise<Measured> {
  await sinkCount(sink.control, true);
  const transport = nodemailer.createTransport({
    pool: true,
    host: '127.0.0.1',
    port: sink.port,
    secure: false,
    ignoreTLS: true,
    maxConnections: connections,
    maxMessages: Number.POSITIVE_INFINITY,
    getSocket: (_o: unknown, cb: (e: Error | null, s?: { connection: net.Socket }) => void) => {
      const socket = net.connect({ host: '127.0.0.1', port: sink.port });
      socket.setNoDelay(true);
      socket.once('connect', () => cb(null, { connection: socket }));
      socket.once('error', cb);
    },
  } as Parameters<typeof nodemailer.createTransport>[0]);
  const clock = await startClock();
  const started = performance.timeOrigin + performance.now();
  let next = 0;
  const sendLoop = async () => {
    while (next < n) {
      const i = next++;
      const link = `http://localhost:8080/unsubscribe/${newId()}${newId()}`;
      // The feedback link of the same length as Crier's, with this recipient's id (its code unsigned).
      const feedbackUrl = template.feedbackUrl?.replace(templateSubscriber, newId());
      const mail = renderEmail({
        ...template,
        id: newId(),
        manageUrl: link,
        unsubscribeUrl: link,
        ...(feedbackUrl && { feedbackUrl }),
      });
      await transport.sendMail({
        from: 'status@crier.test',
        to: `user${i}@example.com`,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        headers: mail.headers,
        messageId: `<${newId()}@crier.test>`,
      });
    }
  };
  await Promise.all(Array.from({ length: connections * 2 }, sendLoop));
  const measured = await clock();
  transport.close();
  return { ...measured, ...(await reachOf(sink.control, n, started)) };
}

async function rawWebhooks(
  n: number,
  sink: { port: number; control: number },
  template: Message,
): Promise<Measured> {
  await sinkCount(sink.control, true);
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  const key = createSecretKey(Buffer.from('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'base64'));
  const clock = await startClock();
  const started = performance.timeOrigin + performance.now();
  let next = 0;
  const loop = async () => {
    while (next < n) {
      const i = next++;
      const id = newId();
      const ts = Math.floor(Date.now() / 1000);
      // Each subscriber's body differs by its unsubscribe link, as Crier's do.
      const body = JSON.stringify({
        ...template.event,
        meta: {
          unsubscribe: `http://localhost:8080/unsubscribe/${id}`,
          documentation: 'http://localhost:8080/docs/webhooks',
        },
      });
      const res = await request(`http://127.0.0.1:${sink.port}/hook/${i}`, {
        method: 'POST',
        dispatcher: agent,
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`,
        },
      });
      await res.body.dump();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const measured = await clock();
  await agent.close();
  return { ...measured, ...(await reachOf(sink.control, n, started)) };
}

/** One measurement in this process: `--side raw|crier --kind email|webhook --port P --control C`. */
async function measure(): Promise<void> {
  const sink = { port: Number(values.port), control: Number(values.control) };
  const n = values.kind === 'email' ? emails : webhooks;
  let measured: Measured;
  if (values.side === 'raw') {
    const template = await renderedTemplate();
    measured =
      values.kind === 'email' ? await rawEmail(n, sink, template) : await rawWebhooks(n, sink, template);
  } else if (values.kind === 'email') {
    measured = await crierRun(n, sink, {
      email: {
        type: 'email-smtp',
        url: `smtp://127.0.0.1:${sink.port}/?tls=false`,
        from: 'status@crier.test',
        connections,
      },
    });
  } else {
    measured = await crierRun(n, sink, { webhook: { type: 'webhook', concurrency } });
  }
  process.stdout.write(
    `${JSON.stringify({ ...measured, rssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`,
  );
}

interface Run extends Measured {
  rssMB: number;
}

/** The Node.js flags `crier` starts with (the first line of bin/crier.js), for Crier's side. */
const crierNodeFlags = (
  fs.readFileSync(path.join(import.meta.dirname, '../bin/crier.js'), 'utf8').split('\n')[0] ?? ''
)
  .split(/\s+/)
  .filter((arg) => arg.startsWith('--'));

/** A fresh SQLite database holding `n` confirmed subscribers of `kind`, for Crier's side. */
async function seededDatabase(kind: 'email' | 'webhook', n: number, sink: Sink): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-bench-'));
  const file = path.join(dir, 'crier.db');
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  await seedSubscribers(db, n, kind, (i) =>
    kind === 'email' ? `user${i}@example.com` : `http://127.0.0.1:${sink.port}/hook/${i}`,
  );
  await db.destroy();
  return file;
}

async function run(side: 'raw' | 'crier', kind: 'email' | 'webhook', sink: Sink): Promise<Run> {
  const file =
    side === 'crier' ? await seededDatabase(kind, kind === 'email' ? emails : webhooks, sink) : null;
  const args = [
    import.meta.filename,
    '--side',
    side,
    '--kind',
    kind,
    '--port',
    String(sink.port),
    '--control',
    String(sink.control),
  ];
  args.push(
    '--emails',
    String(emails),
    '--webhooks',
    String(webhooks),
    '--connections',
    String(connections),
    '--concurrency',
    String(concurrency),
  );
  if (file) args.push('--db', file);
  const flags = side === 'crier' ? crierNodeFlags : [];
  const child = spawnSync(process.execPath, [...flags, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as Run;
}

function report(label: string, n: number, r: Run): string {
  const cpu = (r.cpuMs / n) * 1000;
  const reach = `reach 50/95/100 % ${[r.reach50, r.reach95, r.reach100].map((x) => x.toFixed(2)).join('/')} s`;
  return `${label.padEnd(28)} ${String(Math.round(n / r.seconds)).padStart(7)} msg/s  ${r.seconds.toFixed(2).padStart(7)} s  CPU ${cpu.toFixed(1).padStart(5)} µs/msg  peak RSS ${r.rssMB} MB  ${reach}  duplicates ${r.duplicates}`;
}

const loadAverage = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

async function main(): Promise<void> {
  process.stdout.write(
    `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}\n`,
  );
  process.stdout.write(`each side runs in its own process; the receivers run in a third\n`);
  process.stdout.write(
    `${emails} emails, ${webhooks} webhooks, ${rounds} rounds; load average before: ${loadAverage()}\n`,
  );
  const sinks = { email: await startSink('smtp'), webhook: await startSink('http') };
  const kinds = [
    ...(emails > 0 ? (['email'] as const) : []),
    ...(webhooks > 0 ? (['webhook'] as const) : []),
  ];
  const results: Record<string, { raw: Run[]; crier: Run[] }> = {};
  try {
    for (let r = 0; r < rounds; r++) {
      for (const kind of kinds) {
        const n = kind === 'email' ? emails : webhooks;
        results[kind] ??= { raw: [], crier: [] };
        const entry = results[kind];
        // Alternate which side goes first, so neither always runs on a warmer (or busier) machine.
        const order = r % 2 === 0 ? (['raw', 'crier'] as const) : (['crier', 'raw'] as const);
        for (const side of order) {
          if ((side === 'raw' && !runRaw) || (side === 'crier' && !runCrier)) continue;
          const result = await run(side, kind, sinks[kind]);
          entry[side].push(result);
          process.stdout.write(`${report(`${kind} ${side} (round ${r + 1})`, n, result)}\n`);
        }
      }
    }
  } finally {
    sinks.email.stop();
    sinks.webhook.stop();
  }
  if (!runRaw || !runCrier) return;
  process.stdout.write('\nmedians\n');
  for (const kind of kinds) {
    const n = kind === 'email' ? emails : webhooks;
    const entry = results[kind];
    if (!entry) continue;
    const medians = (runs: Run[]): Run => ({
      seconds: median(runs.map((x) => x.seconds)),
      cpuMs: median(runs.map((x) => x.cpuMs)),
      reach50: median(runs.map((x) => x.reach50)),
      reach95: median(runs.map((x) => x.reach95)),
      reach100: median(runs.map((x) => x.reach100)),
      duplicates: Math.max(...runs.map((x) => x.duplicates)),
      // Peak RSS: the highest of the rounds.
      rssMB: Math.max(...runs.map((x) => x.rssMB)),
    });
    const raw = medians(entry.raw);
    const crier = medians(entry.crier);
    const what = kind === 'email' ? `${connections} connections` : `concurrency ${concurrency}`;
    process.stdout.write(
      `${report(`${kind} raw (${what})`, n, raw)}\n${report(`${kind} Crier`, n, crier)}\n`,
    );
    // Each round's sides ran back to back, so their ratio shares that moment's load on the machine.
    const perRound = entry.raw.map((r, i) =>
      (r.seconds / (entry.crier[i]?.seconds ?? Number.NaN)).toFixed(2),
    );
    process.stdout.write(
      `${kind} ratio Crier/raw: ${(raw.seconds / crier.seconds).toFixed(2)} (time), ${(raw.cpuMs / crier.cpuMs).toFixed(2)} (CPU per message); per round ${perRound.join(', ')}; median of rounds ${median(perRound.map(Number)).toFixed(2)}\n`,
    );
  }
  process.stdout.write(`load average after: ${loadAverage()}\n`);
}

if (values.side) await measure();
else await main();
