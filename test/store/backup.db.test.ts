/**
 * `crier backup` and `crier restore`: a backup taken in the middle of a
 * fan-out (a job running, deliveries sending, sent, failed and dead) restores
 * into an empty database of either kind with every row it held; the restored
 * database goes on working; a file cut short, a non-empty target and a file
 * that is not a backup restore nothing.
 */
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { BackupError, restoreBackup, writeBackup } from '../../src/store/backup.ts';
import type { Db } from '../../src/store/db.ts';
import { claimJobs, recordOutcomes } from '../../src/store/deliveries.ts';
import { expandBatch } from '../../src/store/fanout.ts';
import type { FanoutPayload } from '../../src/store/outbox.ts';
import { tables } from '../../src/store/tables.ts';
import { confirmedSubscriber, dialects, openTestDb, TestClock, testCtx } from '../helpers/db.ts';
import { applyTestPlan, people } from '../helpers/plan.ts';

/** A published update whose fan-out a worker has started and not finished. */
async function fillDuringFanout(db: Db): Promise<void> {
  const clock = new TestClock('2026-01-15T10:00:00.000Z');
  const { admin, ivy, carol } = people(db, clock);
  await applyTestPlan(admin);
  const api = await createComponent(admin, { name: 'API' });
  await db
    .insertInto('subscribers')
    .values(
      Array.from({ length: 30 }, (_, i) =>
        i % 2 === 0
          ? confirmedSubscriber('webhook', `https://hooks.example.com/${i}`, `whsec_${i}`)
          : confirmedSubscriber('email', `user${i}@example.com`),
      ),
    )
    .execute();
  const incident = await declareIncident(ivy, {
    name: 'Saving fails',
    severity: 'SEV1',
    body: 'Saving changes fails for some customers. Next update by 10:30 UTC.',
    components: { [api.id]: 'major_outage' },
  });
  const draft = incident.incident_updates[0];
  assert.ok(draft);
  clock.advance(60_000);
  await approveUpdate(carol, incident.id, draft.id);

  // A worker claims the fan-out, expands one batch and records some outcomes; the rest is in flight.
  const now = new Date();
  const [job] = (await claimJobs(db, 'worker-1', now, 8000, 10)).filter((j) => j.kind === 'fanout');
  assert.ok(job, 'the publication wrote a fan-out job');
  const payload = JSON.parse(job.payload) as FanoutPayload;
  const batch = await db.transaction().execute((tx) =>
    expandBatch(tx, payload, null, ['webhook', 'email'], 16, now, {
      kinds: new Set(['webhook']),
      until: new Date(now.getTime() + 8000),
    }),
  );
  await db.updateTable('outbox_jobs').set({ cursor: batch.cursor }).where('id', '=', job.id).execute();
  const [a, b, c] = batch.leased;
  assert.ok(a && b && c);
  await recordOutcomes(
    db,
    'webhook',
    [
      { id: a.id, state: 'sent', via: 'webhook', providerId: 'msg-1' },
      { id: b.id, state: 'failed', via: 'webhook', error: 'HTTP 503', retryAt: now.toISOString() },
      { id: c.id, state: 'dead', via: 'webhook', error: 'HTTP 410' },
    ],
    now,
  );
}

async function everyRow(db: Db): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows = await db.selectFrom(name).selectAll().execute();
    out[name] = rows
      .map((r) =>
        JSON.stringify(Object.fromEntries(Object.entries(r).sort(([x], [y]) => x.localeCompare(y)))),
      )
      .sort();
  }
  return out;
}

async function backupBytes(db: Db): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeBackup(db, out, new Date('2026-01-15T10:05:00.000Z'));
  return Buffer.concat(chunks);
}

const pairs = dialects.flatMap((to) => dialects.map((from) => ({ from, to })));

for (const { from, to } of pairs) {
  test(`a backup taken during a fan-out restores every row it held [${from.name} to ${to.name}]`, async () => {
    const source = await openTestDb(from);
    const target = await openTestDb(to);
    try {
      await fillDuringFanout(source.db);
      const before = await everyRow(source.db);
      const states = new Set(before.deliveries?.map((r) => (JSON.parse(r) as { state: string }).state));
      assert.deepEqual([...states].sort(), ['dead', 'failed', 'pending', 'sending', 'sent']);
      assert.ok(before.outbox_jobs?.some((r) => (JSON.parse(r) as { state: string }).state === 'running'));

      const bytes = await backupBytes(source.db);
      const lines = gunzipSync(bytes).toString('utf8').trimEnd().split('\n');
      const header = JSON.parse(lines[0] ?? '{}') as { format: string; migration: string; dialect: string };
      assert.equal(header.format, 'crier-backup');
      assert.equal(header.dialect, from.name);
      // A second migration of one number takes a letter (0015b_…).
      assert.match(header.migration, /^\d{4}[a-z]?_/);

      // The target was migrated by the test helper; restore into it as into one `crier migrate` left.
      const summary = await restoreBackup(target.db, Readable.from(bytes));
      assert.equal(summary.rows.deliveries, before.deliveries?.length);
      assert.deepEqual(await everyRow(target.db), before);

      // The restored database goes on working: new rows take numbers after the restored ones.
      await createComponent(testCtx(target.db), { name: 'Website' });
      const ids = (await target.db.selectFrom('audit_log').select('id').orderBy('id').execute()).map(
        (r) => r.id,
      );
      assert.equal(ids.length, (before.audit_log?.length ?? 0) + 1);
      assert.ok((ids.at(-1) ?? 0) > (ids.at(-2) ?? 0));

      // Now it is not empty: a second restore is refused and changes nothing.
      await assert.rejects(restoreBackup(target.db, Readable.from(bytes)), (err: unknown) => {
        assert.ok(err instanceof BackupError);
        assert.match(err.message, /not empty/);
        return true;
      });
    } finally {
      await source.close();
      await target.close();
    }
  });
}

for (const dialect of dialects) {
  test(`a damaged or cut-short backup restores nothing [${dialect.name}]`, async () => {
    const source = await openTestDb(dialect);
    try {
      await fillDuringFanout(source.db);
      const text = gunzipSync(await backupBytes(source.db)).toString('utf8');
      const lines = text.trimEnd().split('\n');
      const cases: [string, Buffer, RegExp][] = [
        ['cut short', gzipSync(lines.slice(0, -1).join('\n')), /ends early/],
        ['truncated gzip', gzipSync(text).subarray(0, 200), /cannot be read|ends early/],
        ['not gzip', Buffer.from('name,email\n'), /cannot be read/],
        ['not a backup', gzipSync('{"hello":1}\n'), /not a Crier backup/],
        [
          'a count that does not match',
          gzipSync(
            [...lines.slice(0, -1), lines.at(-1)?.replace(/"deliveries":\d+/, '"deliveries":999')].join('\n'),
          ),
          /deliveries held 999 rows/,
        ],
        [
          'a newer migration',
          gzipSync(
            [lines[0]?.replace(/"migration":"[^"]+"/, '"migration":"9999_future"'), ...lines.slice(1)].join(
              '\n',
            ),
          ),
          /does not know/,
        ],
      ];
      for (const [what, bytes, message] of cases) {
        const target = await openTestDb(dialect);
        try {
          await assert.rejects(restoreBackup(target.db, Readable.from(bytes)), (err: unknown) => {
            assert.ok(err instanceof BackupError, `${what}: ${String(err)}`);
            assert.match(err.message, message, what);
            return true;
          });
          for (const { name } of tables) {
            const any = await target.db.selectFrom(name).selectAll().limit(1).execute();
            assert.equal(any.length, 0, `${what}: ${name} stays empty`);
          }
        } finally {
          await target.close();
        }
      }
    } finally {
      await source.close();
    }
  });
}
