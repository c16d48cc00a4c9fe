/**
 * A worker process killed with SIGKILL in the middle of a 5,000-subscriber
 * fan-out, then started again: every subscriber receives the message;
 * duplicates stay within one in-flight batch, and each carries the same
 * Message-ID as the first copy so receivers can drop it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { systemClock } from '../src/services/context.ts';
import { declareIncident } from '../src/services/incidents/declare.ts';
import { confirmedSubscriber, dialects, openTestDb, testCtx } from '../test/helpers/db.ts';
import { waitFor } from '../test/helpers/receiver.ts';
import { startSmtpSink } from '../test/helpers/smtp.ts';

const root = new URL('../', import.meta.url).pathname;
const cli = path.join(root, 'src/cli/main.ts');
const subscribers = 5000;
/** Deliveries a lane claims at once (src/delivery/worker.ts) plus the sends in flight (two per SMTP connection, five connections). */
const inFlightBound = 200 + 10;

function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [cli, 'worker'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr?.on('data', () => {});
  return child;
}

for (const dialect of dialects) {
  test(`a worker killed mid fan-out resumes: everyone once, duplicates bounded [${dialect.name}]`, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-crash-'));
    const smtp = await startSmtpSink();
    const sqliteFile = path.join(dir, 'crier.db');
    const t = await openTestDb(
      dialect.name === 'sqlite' ? { name: 'sqlite', url: `sqlite:${sqliteFile}` } : dialect,
    );
    const children: ChildProcess[] = [];
    try {
      const url =
        dialect.name === 'sqlite'
          ? `sqlite:${sqliteFile}`
          : `${t.url}${t.url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${t.schema}`)}`;
      fs.writeFileSync(
        path.join(dir, 'crier.yaml'),
        'channels:\n  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }\n',
      );
      const env = {
        CRIER_DATABASE_URL: url,
        CRIER_PLAN: path.join(dir, 'crier.yaml'),
        CRIER_DEMO: 'false',
        CRIER_LOG_LEVEL: 'warn',
        CRIER_WORKER_LEASE_MS: '2000',
        CRIER_WORKER_POLL_MS: '100',
        SMTP_URL: smtp.url,
      };

      const rows = Array.from({ length: subscribers }, (_, i) =>
        confirmedSubscriber('email', `user${i}@example.com`),
      );
      for (let i = 0; i < rows.length; i += 500)
        await t.db
          .insertInto('subscribers')
          .values(rows.slice(i, i + 500))
          .execute();
      const ctx = testCtx(t.db, { clock: systemClock });
      await declareIncident(ctx, { name: 'Login failures', body: 'Some customers cannot sign in.' });

      const first = startWorker(env);
      children.push(first);
      await waitFor(() => smtp.mails.length >= 1500, 60_000, '1,500 emails before the kill');
      first.kill('SIGKILL');
      await new Promise((r) => first.once('exit', r));
      const atKill = smtp.mails.length;
      assert.ok(atKill < subscribers, `the kill came mid fan-out (${atKill} sent)`);

      const second = startWorker(env);
      children.push(second);
      const received = () => new Set(smtp.mails.map((m) => m.to[0])).size;
      await waitFor(() => received() === subscribers, 90_000, 'every subscriber');
      second.kill('SIGTERM');
      const code = await new Promise((r) => second.once('exit', r));
      assert.equal(code, 0, 'the worker drains and exits cleanly on SIGTERM');

      const byRecipient = new Map<string, Set<string>>();
      for (const m of smtp.mails) {
        const to = m.to[0] ?? '';
        const ids = byRecipient.get(to) ?? new Set<string>();
        ids.add(m.headers['message-id'] ?? '');
        byRecipient.set(to, ids);
      }
      assert.equal(byRecipient.size, subscribers);
      for (const [to, ids] of byRecipient) assert.equal(ids.size, 1, `${to}: every copy has one Message-ID`);
      const duplicates = smtp.mails.length - subscribers;
      assert.ok(duplicates <= inFlightBound, `${duplicates} duplicates, bound ${inFlightBound}`);
      const states = await t.db
        .selectFrom('deliveries')
        .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('state')
        .execute();
      assert.deepEqual(
        states.map((s) => [s.state, Number(s.n)]),
        [['sent', subscribers]],
      );
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await t.close();
      await smtp.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
