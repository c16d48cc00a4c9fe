/**
 * From an alarm to the public page, with no one typing: an Alertmanager
 * alert posted to `crier serve` (SQLite, HTTP and worker in one process,
 * pinned to one core) matches a runbook whose scenario's severity needs no
 * approval; the bench times until the incident shows on
 * /api/v2/summary.json and on the page. The baseline, in the same run on
 * the same server: a person declaring the same scenario through the admin
 * API, timed until the same two answers show it. Prints p50 and p99 of each
 * and the ratio of medians.
 *
 * Then a burst: 1,000 alerts posted within one second over 100
 * fingerprints in 10 groups: every answer must be 200 (no 5xx, no 429: an
 * ingest key has its own limit), 100 alerts stored, each group's runbook
 * fired once (10 runs, 10 incidents), every alert counted.
 *
 *   npm run bench -- ingest             BENCH_SAMPLES=40 BENCH_BURST=1000
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.ts';
import { createComponent } from '../src/services/components/create.ts';
import { type Ctx, systemActor } from '../src/services/context.ts';
import { createIngestKey } from '../src/services/ingest/keys.ts';
import { createToken } from '../src/services/tokens/tokens.ts';
import { ChangeBus } from '../src/store/changes.ts';
import { migrate, openDatabase } from '../src/store/db.ts';

const root = path.resolve(import.meta.dirname, '..');
const samples = Number(process.env.BENCH_SAMPLES ?? 40);
const burst = Number(process.env.BENCH_BURST ?? 1000);
const fingerprints = 100;
const groups = 10;
const serverCore = process.env.BENCH_SERVER_CORE ?? '0';

const plan = `
version: 1
page: { name: Acme Cloud, time_zone: UTC }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
scenarios:
  api-errors:
    severity: SEV3
    impact: minor
    customer_impact: Some requests to the API fail.
    templates:
      investigating: "We are investigating errors in {{ components }}. {{ impact }} Next update by {{ next_update_at }}."
      resolved: The API answers normally again for all customers.
runbooks:
  - name: one-off
    when: { source: alertmanager, labels: { bench: latency } }
    group_by: [alertname]
    do:
      - declare: { scenario: api-errors, components: { COMPONENT: partial_outage } }
    on_resolve:
      - resolve: {}
  - name: burst
    when: { source: alertmanager, labels: { bench: burst } }
    group_by: [service]
    do:
      - declare: { scenario: api-errors }
`;

async function seed(file: string): Promise<{ key: string; token: string; component: string }> {
  const db = openDatabase(`sqlite:${file}`);
  await migrate(db);
  const ctx: Ctx = {
    db,
    clock: { now: () => new Date() },
    log: pino({ level: 'silent' }),
    config: loadConfig({ CRIER_DEMO: 'false' }),
    changes: new ChangeBus(),
    actor: { ...systemActor, id: 'bench' },
  };
  const component = (await createComponent(ctx, { name: 'API' })).id;
  const key = (await createIngestKey(ctx, { source: 'alertmanager' })).key;
  const token = (await createToken(ctx, { name: 'bench@acme.example', role: 'admin' })).token;
  await db.destroy();
  return { key, token, component };
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

const agent = new Agent({ connections: 64, pipelining: 1 });

async function call(
  url: string,
  method: 'GET' | 'POST',
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await request(url, {
    method,
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.body.text();
  return { status: res.statusCode, text };
}

function alertmanager(
  status: 'firing' | 'resolved',
  alerts: { fingerprint: string; labels: Record<string, string> }[],
) {
  return {
    version: '4',
    groupKey: `{}:{bench="${alerts[0]?.labels.bench}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'crier',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: alerts.map((a) => ({
      status,
      labels: a.labels,
      annotations: { summary: a.labels.alertname ?? 'Bench alert' },
      startsAt: new Date().toISOString(),
      endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus.example.com:9090/graph',
      fingerprint: a.fingerprint,
    })),
  };
}

/** Polls both public answers until each names the incident; the time it took, in ms. */
async function untilShown(base: string, name: string, since: number): Promise<number> {
  let summary = false;
  let page = false;
  for (let i = 0; i < 20_000; i++) {
    if (!summary) summary = (await call(`${base}/api/v2/summary.json`, 'GET')).text.includes(name);
    if (summary && !page) page = (await call(`${base}/`, 'GET')).text.includes(name);
    if (summary && page) return performance.now() - since;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`"${name}" never showed`);
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
};

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'crier-bench-ingest-'));
  const dbFile = path.join(dir, 'crier.db');
  const { key, token, component } = await seed(dbFile);
  const planFile = path.join(dir, 'crier.yaml');
  writeFileSync(planFile, plan.replace('COMPONENT', component));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const crier: ChildProcess = spawn(
    'taskset',
    ['-c', serverCore, process.execPath, path.join(root, 'src/cli/main.ts'), 'serve'],
    {
      env: {
        ...process.env,
        CRIER_DATABASE_URL: `sqlite:${dbFile}`,
        CRIER_PLAN: planFile,
        CRIER_DEMO: 'false',
        CRIER_LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await call(`${base}/readyz`, 'GET')).status === 200) break;
      } catch {
        // not yet
      }
      if (i > 300) throw new Error('crier serve did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    const ingest = `${base}/ingest/alertmanager/${key}`;
    const admin = { authorization: `Bearer ${token}` };
    const cpu = os.cpus()[0]?.model ?? 'unknown';
    process.stdout.write(
      `Machine: ${os.cpus().length} cores (${cpu}), Node.js ${process.version}; crier serve (SQLite) on core ${serverCore}\n` +
        `${samples} samples each, alternating; polling summary.json then / every 2 ms\n\n`,
    );

    // Latency: alert → declared → on the page, against a declaration through the API.
    const viaAlert: number[] = [];
    const viaApi: number[] = [];
    for (let i = 0; i < samples + 2; i++) {
      const warm = i < 2;
      const order = i % 2 === 0 ? ['alert', 'api'] : ['api', 'alert'];
      for (const how of order) {
        const name = `Bench ${how} ${i} ${Math.random().toString(36).slice(2, 8)}`;
        const t0 = performance.now();
        if (how === 'alert') {
          const res = await call(
            ingest,
            'POST',
            alertmanager('firing', [
              { fingerprint: `lat-${i}`, labels: { bench: 'latency', alertname: name } },
            ]),
          );
          if (res.status !== 200) throw new Error(`ingest answered ${res.status} ${res.text}`);
        } else {
          const res = await call(
            `${base}/api/v1/incidents`,
            'POST',
            { name, scenario: 'api-errors', components: { [component]: 'partial_outage' } },
            admin,
          );
          if (res.status !== 201) throw new Error(`declare answered ${res.status} ${res.text}`);
        }
        const took = await untilShown(base, name, t0);
        if (!warm) (how === 'alert' ? viaAlert : viaApi).push(took);
      }
    }
    const line = (label: string, xs: number[]) =>
      `  ${label.padEnd(30)} p50 ${quantile(xs, 0.5).toFixed(1).padStart(7)} ms  p99 ${quantile(xs, 0.99).toFixed(1).padStart(7)} ms`;
    process.stdout.write(
      'Alert received → incident declared → on /api/v2/summary.json and the page (approval: none)\n' +
        `${line('alert (runbook, worker)', viaAlert)}\n${line('baseline: declare via the API', viaApi)}\n` +
        `  ratio alert/API: ${(quantile(viaAlert, 0.5) / quantile(viaApi, 0.5)).toFixed(2)} of p50s, ${(quantile(viaAlert, 0.99) / quantile(viaApi, 0.99)).toFixed(2)} of p99s\n\n`,
    );

    // Burst: 1,000 alerts in one second over 100 fingerprints in 10 groups.
    const statuses = new Map<number, number>();
    let counted = 0;
    const t0 = performance.now();
    const sent: Promise<void>[] = [];
    for (let i = 0; i < burst; i++) {
      const due = t0 + (i * 1000) / burst;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      const f = i % fingerprints;
      const body = alertmanager('firing', [
        {
          fingerprint: `burst-${f}`,
          labels: { bench: 'burst', alertname: `Burst ${f}`, service: `service-${f % groups}` },
        },
      ]);
      sent.push(
        call(ingest, 'POST', body).then(
          (res) => {
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status === 200) counted += (JSON.parse(res.text) as { alerts: number }).alerts;
          },
          () => {
            statuses.set(0, (statuses.get(0) ?? 0) + 1);
          },
        ),
      );
    }
    const postedIn = performance.now() - t0;
    await Promise.all(sent);
    const answeredIn = performance.now() - t0;
    // Every group's incident on the page: the runbook fired once per group.
    let shown = 0;
    let incidents: { name: string }[] = [];
    for (let i = 0; i < 6000 && shown < groups; i++) {
      incidents = (
        JSON.parse((await call(`${base}/api/v2/incidents/unresolved.json`, 'GET')).text) as {
          incidents: { name: string }[];
        }
      ).incidents.filter((x) => x.name.startsWith('Burst '));
      shown = incidents.length;
      if (shown < groups) await new Promise((r) => setTimeout(r, 10));
    }
    const declaredIn = performance.now() - t0;
    const alerts: { fingerprint: string; received_count: number }[] = [];
    for (let page = 1; page <= 5; page++) {
      const res = await call(
        `${base}/api/v1/alerts?per_page=100&page=${page}&source=alertmanager`,
        'GET',
        undefined,
        admin,
      );
      if (res.status !== 200) throw new Error(`listing alerts answered ${res.status} ${res.text}`);
      alerts.push(...(JSON.parse(res.text) as typeof alerts));
    }
    const burstAlerts = alerts.filter((a) => a.fingerprint.startsWith('burst-'));
    const received = burstAlerts.reduce((n, a) => n + a.received_count, 0);
    const fiveXx = [...statuses].filter(([s]) => s >= 500 || s === 0).reduce((n, [, c]) => n + c, 0);
    const ok =
      (statuses.get(200) ?? 0) === burst &&
      counted === burst &&
      burstAlerts.length === fingerprints &&
      received === burst &&
      shown === groups;
    process.stdout.write(
      `Burst: ${burst} alerts over ${fingerprints} fingerprints in ${groups} groups, posted in ${postedIn.toFixed(0)} ms, answered in ${answeredIn.toFixed(0)} ms\n` +
        `  answers: ${[...statuses].map(([s, c]) => `${s === 0 ? 'no answer' : s}×${c}`).join(', ')}; 5xx or none: ${fiveXx}\n` +
        `  alerts stored: ${burstAlerts.length} (deliveries counted ${received} of ${burst}); incidents declared: ${shown} of ${groups} groups, all on the page ${declaredIn.toFixed(0)} ms after the first alert\n` +
        `  ${ok ? 'OK' : 'FAILED'}\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    crier.kill('SIGTERM');
    await agent.close();
  }
}

await main();
