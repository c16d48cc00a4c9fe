/**
 * Practice from a terminal, against a real server process: `crier drill
 * start` at a speed, its report in plan time (a table and JSON) and the
 * trend, `crier drill run` of one of the plan's game days, the team's
 * rating and ticket count, the communication review as Markdown and JSON,
 * and `crier plan suggest` with nothing to suggest; bad asks exit non-zero
 * with the server's words.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type RunResult, runCli, type Server, startServer, tempDir } from './helpers/process.ts';

const plan = `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.example] }
severities:
  SEV2: { first_external_within: 15m, external_cadence: 1h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
  team: { channels: [email] }
drill: { audience: team }
channels:
  email: { type: email-smtp, url: "smtp://127.0.0.1:9/?tls=false", from: status@acme.example }
scenarios:
  api-errors:
    name: API errors
    severity: SEV2
    impact: major
    customer_impact: Some API calls fail.
    templates:
      investigating: "We are looking into errors in the API. Next update by {{ next_update_at }}."
      resolved: The API works normally again for all customers.
drills:
  outage:
    scenario: api-errors
    cron: "0 14 1 * *"
    script:
      - { at: 0s, alert: { title: API error rate above 5% } }
      - { at: 10m, resolve: {} }
`;

const adminToken = 'e2e-drills-admin-token-0123456789';
let server: Server;
let env: Record<string, string>;

function run(args: string[]): Promise<RunResult> {
  return runCli(args, { ...env, CRIER_TOKEN: adminToken });
}
async function ok(args: string[]): Promise<RunResult> {
  const r = await run(args);
  assert.equal(r.code, 0, `crier ${args.join(' ')}: ${r.stderr}`);
  return r;
}
const json = async <T>(args: string[]) => JSON.parse((await ok([...args, '--json'])).stdout) as T;

before(async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'crier.yaml'), plan);
  const common = {
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
    CRIER_DEMO: 'false',
    CRIER_WORKER: 'false',
  };
  server = await startServer({ ...common, CRIER_ADMIN_TOKEN: adminToken });
  env = { ...common, CRIER_URL: server.url, CRIER_LOG_LEVEL: 'silent' };
});
after(async () => {
  assert.equal(await server.stop('SIGTERM'), 0, server.logs());
});

test('drill start, report, trend and run; feedback, review and suggestions from the terminal', async () => {
  const drill = await json<{ id: string; drill: boolean; drill_speed: number; severity: string }>([
    'drill',
    'start',
    'api-errors',
    '--speed',
    '60',
  ]);
  assert.deepEqual([drill.drill, drill.drill_speed, drill.severity], [true, 60, 'SEV2']);

  // Its first words went out as it was declared, a few real milliseconds later: times 60 in plan time.
  const report = await json<{
    drill: boolean;
    scores: {
      speed: number;
      first_external: { from: string; took_ms: number; target_ms: number; met: boolean };
    };
  }>(['drill', 'report', drill.id]);
  assert.equal(report.scores.speed, 60);
  const first = report.scores.first_external;
  assert.deepEqual([first.from, first.target_ms, first.met], ['declared', 900_000, true]);
  assert.equal(first.took_ms % 60, 0, `multiplied back by the speed: ${first.took_ms}`);
  const table = (await ok(['drill', 'report', drill.id])).stdout;
  assert.match(table, /^API errors \(drill at speed 60, SEV2\)$/m);
  const trend = await json<{ incident_id: string }[]>(['drill', 'trend']);
  assert.deepEqual(
    trend.map((t) => t.incident_id),
    [drill.id],
  );

  const gameDay = await json<{ name: string; speed: number; incident_id: string; events: { at: string }[] }>([
    'drill',
    'run',
    'outage',
    '--speed',
    '10',
  ]);
  assert.equal(gameDay.name, 'outage');
  assert.equal(gameDay.speed, 10);
  assert.deepEqual(
    gameDay.events.map((e) => e.at),
    ['0s', '10m'],
  );
  assert.notEqual(gameDay.incident_id, drill.id);

  await ok(['feedback', 'give', drill.id, '--rating', '4', '--tickets', '3', '--comment', 'Clear <enough>']);
  const shown = (await ok(['feedback', 'show', drill.id])).stdout;
  assert.match(shown, /3/);

  const md = (await ok(['review', drill.id])).stdout;
  assert.match(md, /^# Communication review: API errors$/m);
  assert.match(md, /## Scores/);
  const review = JSON.parse((await ok(['review', drill.id, '--format', 'json'])).stdout) as {
    messages: { status: string }[];
  };
  assert.deepEqual(
    review.messages.map((m) => m.status),
    ['investigating'],
  );

  assert.match((await ok(['plan', 'suggest'])).stdout, /No suggestions: the plan held up\./);

  // Bad asks: the server's words, a non-zero exit, nothing started.
  const unknown = await run(['drill', 'run', 'nope']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /The plan has no game day "nope" under drills\./);
  const tooFast = await run(['drill', 'start', 'api-errors', '--speed', '5000']);
  assert.notEqual(tooFast.code, 0);
  assert.equal((await json<unknown[]>(['drill', 'trend'])).length, 2, 'the game day’s drill, and no other');
});
