/**
 * A team's day from a terminal, against a real server process: declare from a scenario at a
 * severity, preview, reject with a comment, draft again, submit, approve, read the support
 * brief; add, import (from standard input), list and export subscribers; replay deliveries.
 * Every command goes through the typed API client, with each person's own token.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type RunResult, runCli, type Server, startServer, tempDir } from './helpers/process.ts';

const plan = `version: 1
page: { name: Acme Cloud, url: https://status.acme.example, time_zone: Europe/Paris }
roles:
  incident_lead: { rota: [ivy@acme.example] }
  comms_lead: { rota: [carol@acme.example] }
  support_lead: { rota: [sam@acme.example] }
severities:
  SEV1: { external_cadence: 30m, approval: comms_lead, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
channels:
  email: { type: email-smtp, url: "smtp://127.0.0.1:9/?tls=false", from: status@acme.example }
scenarios:
  database-degraded:
    severity: SEV1
    impact: major
    customer_impact: Saving changes fails for some customers.
    templates:
      investigating: |
        We are investigating errors in {{ components }}. {{ impact }}
        Next update by {{ next_update_at }}.
      resolved: Saving changes works normally again for all customers.
`;

const adminToken = 'e2e-team-admin-token-0123456789';
let server: Server;
let env: Record<string, string>;
const tokens: Record<string, string> = {};

async function ok(args: string[], who = 'admin', input?: string): Promise<RunResult> {
  const r = await runCli(args, { ...env, CRIER_TOKEN: tokens[who] ?? adminToken }, input);
  assert.equal(r.code, 0, `crier ${args.join(' ')}: ${r.stderr}`);
  return r;
}
const json = async <T>(args: string[], who?: string, input?: string) =>
  JSON.parse((await ok([...args, '--json'], who, input)).stdout) as T;

before(async () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'crier.yaml'), plan);
  const db = `sqlite:${path.join(dir, 'crier.db')}`;
  const common = {
    CRIER_DATABASE_URL: db,
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
    CRIER_DEMO: 'false',
    CRIER_WORKER: 'false',
  };
  server = await startServer({ ...common, CRIER_ADMIN_TOKEN: adminToken });
  env = { ...common, CRIER_URL: server.url, CRIER_LOG_LEVEL: 'silent' };
  for (const [name, role] of [
    ['rita@acme.example', 'responder'],
    ['carol@acme.example', 'comms_lead'],
  ] as const) {
    const created = await json<{ token: string }>(['token', 'create', '--role', role, '--name', name]);
    tokens[name.split('@')[0] as string] = created.token;
  }
});
after(async () => {
  assert.equal(await server.stop('SIGTERM'), 0, server.logs());
});

interface Draft {
  id: string;
  state: string;
  body: string;
}

test('declare from a scenario, reject, draft again, submit, approve, and brief support', async () => {
  const component = await json<{ id: string }>(['component', 'add', 'API']);
  const incident = await json<{ id: string; severity: string; incident_updates: Draft[] }>(
    [
      'incident',
      'declare',
      'Saving fails',
      '--scenario',
      'database-degraded',
      '--severity',
      'SEV1',
      '-c',
      `${component.id}=major_outage`,
    ],
    'rita',
  );
  assert.equal(incident.severity, 'SEV1');
  const first = incident.incident_updates[0] as Draft;
  assert.equal(first.state, 'pending_approval', 'SEV1 waits for the comms lead');

  const preview = await ok(['preview', incident.id, first.id]);
  assert.match(preview.stdout, /── email \(email-smtp/);
  assert.match(preview.stdout, /We are investigating errors in API\. Saving changes fails/);

  const rejected = await json<Draft & { decisions: { comment: string }[] }>(
    ['reject', incident.id, first.id, '--comment', 'Name the region.'],
    'carol',
  );
  assert.equal(rejected.state, 'rejected');
  assert.equal(rejected.decisions[0]?.comment, 'Name the region.');
  const noComment = await runCli(['reject', incident.id, first.id], {
    ...env,
    CRIER_TOKEN: tokens.carol as string,
  });
  assert.equal(noComment.code, 2, 'reject needs --comment');

  const text = 'Saving changes fails for customers in Europe. Next update by 10:35 CET.';
  const draft = await json<Draft>(['draft', incident.id, '--message', text], 'rita');
  assert.equal(draft.state, 'draft');
  assert.equal((await json<Draft>(['submit', incident.id, draft.id], 'rita')).state, 'pending_approval');
  const approved = await json<Draft>(['approve', incident.id, draft.id, '--comment', 'Clear.'], 'carol');
  assert.equal(approved.state, 'published');

  const brief = await ok(['brief', incident.id]);
  assert.match(brief.stdout, /Saving changes fails for customers in Europe/);
  const briefJson = await json<{ incident_id: string; reply: string }>(['brief', incident.id]);
  assert.equal(briefJson.incident_id, incident.id);

  const replayed = await ok(['deliveries', 'replay', '--update', draft.id]);
  assert.match(replayed.stdout, /^Replayed 0 dead deliveries\.$/m);
});

test('subscribers: add, import from standard input, list, export', async () => {
  const added = await json<{ kind: string; state: string }>([
    'subscribers',
    'add',
    '--email',
    'ann@example.com',
  ]);
  assert.deepEqual([added.kind, added.state], ['email', 'confirmed']);
  const imported = await json<{ imported: number; invalid: number }>(
    ['subscribers', 'import', '-'],
    'admin',
    'email\nbob@example.com\ncid@example.com\n',
  );
  assert.deepEqual([imported.imported, imported.invalid], [2, 0]);
  const list = await json<{ email: string }[]>(['subscribers', 'list', '--search', 'example.com']);
  assert.deepEqual(list.map((s) => s.email).sort(), [
    'ann@example.com',
    'bob@example.com',
    'cid@example.com',
  ]);
  const table = await ok(['subscribers', 'list']);
  assert.match(table.stdout, /^\S+\s+email\s+ann@example\.com\s+public\s+confirmed/m);
  const exported = await ok(['subscribers', 'export']);
  assert.match(exported.stdout, /^id,kind,audience,state,email,/);
  for (const who of ['ann', 'bob', 'cid']) assert.match(exported.stdout, new RegExp(`${who}@example\\.com`));
});
