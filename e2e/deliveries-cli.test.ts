/**
 * `crier deliveries <update-id>` against a real server process: the counts
 * of an update's deliveries, and of the component events it triggered, as
 * JSON, as a table with a progress bar, and live on a terminal; an id that
 * names no update is an error.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Receiver, startReceiver, waitFor } from '../test/helpers/receiver.ts';
import { cliEntry, runCli, type Server, startServer, tempDir } from './helpers/process.ts';

const adminToken = 'e2e-admin-token-deliveries-0123';
let server: Server;
let receiver: Receiver;
let env: Record<string, string>;
let updateId: string;

before(async () => {
  receiver = await startReceiver();
  const dir = tempDir();
  const db = `sqlite:${path.join(dir, 'crier.db')}`;
  server = await startServer({
    CRIER_DATABASE_URL: db,
    CRIER_ADMIN_TOKEN: adminToken,
    CRIER_DEMO: 'false',
    CRIER_ALLOW_PRIVATE_NETWORK: 'true',
    CRIER_WORKER_POLL_MS: '100',
  });
  env = { CRIER_URL: server.url, CRIER_TOKEN: adminToken, CRIER_LOG_LEVEL: 'silent' };
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${server.url}/api/v1/subscribers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ webhook: `${receiver.url}/hook/${i}` }),
    });
    assert.equal(res.status, 201, await res.text());
  }
  const component = await runCli(['component', 'add', 'Login', '--json'], env);
  assert.equal(component.code, 0, component.stderr);
  const componentId = (JSON.parse(component.stdout) as { id: string }).id;
  // The incident moves the component, so each subscriber also gets Statuspage's component event.
  const declared = await runCli(
    [
      'incident',
      'declare',
      'Login errors',
      '--message',
      'Some sign-ins fail.',
      '--component',
      `${componentId}=partial_outage`,
      '--json',
    ],
    env,
  );
  assert.equal(declared.code, 0, declared.stderr);
  const incident = JSON.parse(declared.stdout) as { incident_updates: { id: string }[] };
  updateId = incident.incident_updates[0]?.id ?? '';
  await waitFor(() => receiver.requests.length >= 6, 15_000, 'six webhooks');
});

after(async () => {
  await server.stop('SIGTERM');
  await receiver.close();
});

interface Counts {
  by_state: Record<string, number>;
  component_events: { by_state: Record<string, number> };
}

/** The counts once every outcome is written (the receiver sees a request before its outcome is). */
async function settled(): Promise<void> {
  await waitFor(
    async () => {
      const r = await runCli(['deliveries', updateId, '--json'], env);
      const counts = JSON.parse(r.stdout) as Counts;
      return counts.by_state.sent === 3 && counts.component_events.by_state.sent === 3;
    },
    15_000,
    'six sent',
  );
}

test('crier deliveries --json gives the counts by channel and state', async () => {
  await settled();
  const r = await runCli(['deliveries', updateId, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    update_id: updateId,
    fanout: 'done',
    total: 3,
    by_state: { sent: 3 },
    by_channel: { webhook: { sent: 3 } },
    component_events: { fanout: 'done', total: 3, by_state: { sent: 3 } },
  });
});

test('crier deliveries prints a table and the bar; on a terminal it draws the bar in place', async () => {
  await settled();
  const r = await runCli(['deliveries', updateId], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^webhook\s+3\s+0\s+0\s+0\s+0/m);
  assert.match(r.stdout, /^webhook \(component events\)\s+3\s+0\s+0\s+0\s+0/m);
  assert.match(r.stdout, /\[#{30}\] 6\/6 {2}sent 6 {2}pending 0/);

  // Under a pseudo-terminal (util-linux `script`), the live bar is drawn with a carriage return.
  const command = [process.execPath, cliEntry, 'deliveries', updateId].map((a) => `'${a}'`).join(' ');
  const tty = await new Promise<string>((resolve, reject) =>
    execFile(
      'script',
      ['-qec', command, '/dev/null'],
      { env: { ...process.env, ...env }, timeout: 30_000 },
      (err, stdout) => (err ? reject(err) : resolve(stdout)),
    ),
  );
  assert.match(tty, /\r\[#{30}\] 6\/6/);
});

test('crier deliveries with an id that names no update fails and says so', async () => {
  const r = await runCli(['deliveries', 'no-such-update', '--json'], env);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /No update no-such-update/);
  const usage = await runCli(['deliveries'], env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Usage: crier deliveries <update-id>/);
});
