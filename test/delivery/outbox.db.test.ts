import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withTransaction } from '../../src/services/transaction.ts';
import { cancelJob, enqueueJob, sendToChannel } from '../../src/store/outbox.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';

eachDialect(test, 'a job is written only if its transaction commits', async (db) => {
  const ctx = testCtx(db);
  await assert.rejects(
    withTransaction(ctx, async (tx) => {
      await sendToChannel(tx, 'slack-internal', { title: 'Hello', text: 'World' });
      throw new Error('roll back');
    }),
  );
  assert.equal((await db.selectFrom('outbox_jobs').selectAll().execute()).length, 0);
  await withTransaction(ctx, (tx) => sendToChannel(tx, 'slack-internal', { title: 'Hello', text: 'World' }));
  const jobs = await db.selectFrom('outbox_jobs').selectAll().execute();
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0]?.kind, 'channel.notice');
  assert.deepEqual(JSON.parse(jobs[0]?.payload ?? ''), {
    channel: 'slack-internal',
    message: { title: 'Hello', text: 'World' },
  });
});

eachDialect(test, 'a dedupe key keeps one job, re-armed only when asked, and cancellable', async (db) => {
  const clock = new TestClock();
  const ctx = testCtx(db, { clock });
  const payload = { maintenance_id: 'm1', scheduled_for: '2026-01-15T12:00:00.000Z' };
  const first = await enqueueJob(ctx, {
    kind: 'maintenance.reminder',
    payload,
    runAt: '2026-01-15T11:00:00.000Z',
    dedupeKey: 'reminder:m1',
  });
  assert.ok(first);
  const again = await enqueueJob(ctx, {
    kind: 'maintenance.reminder',
    payload,
    runAt: '2026-01-15T11:30:00.000Z',
    dedupeKey: 'reminder:m1',
  });
  assert.equal(again, null);
  const moved = await enqueueJob(ctx, {
    kind: 'maintenance.reminder',
    payload,
    runAt: '2026-01-15T11:30:00.000Z',
    dedupeKey: 'reminder:m1',
    replace: true,
  });
  assert.equal(moved, first);
  const row = await db.selectFrom('outbox_jobs').selectAll().executeTakeFirstOrThrow();
  assert.equal(row.run_at, '2026-01-15T11:30:00.000Z');
  assert.equal(await cancelJob(ctx, 'reminder:m1'), true);
  assert.equal(await cancelJob(ctx, 'reminder:m1'), false);
});
