import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../src/store/db.ts';
import { claimJobs } from '../../src/store/deliveries.ts';
import { prepared } from '../../src/store/prepared.ts';
import { nameStatement, sendNamedStatements } from '../../src/store/statement-names.ts';
import { eachDialect, openTestDb } from '../helpers/db.ts';

const at = '2026-12-04T10:00:00.000Z';

async function addJobs(db: Db, runAts: string[]): Promise<void> {
  await db
    .insertInto('outbox_jobs')
    .values(
      runAts.map((run_at, i) => ({
        id: `job-${i}`,
        kind: 'notice',
        payload: '{}',
        state: 'pending' as const,
        run_at,
        attempts: 0,
        created_at: at,
        updated_at: at,
      })),
    )
    .execute();
}

eachDialect(
  test,
  'a prepared query is built once and runs with each call’s arguments, in and out of a transaction',
  async (db) => {
    await addJobs(db, ['2026-12-04T10:00:00.000Z', '2026-12-04T10:05:00.000Z', '2026-12-04T10:10:00.000Z']);
    let builds = 0;
    const due = prepared((db: Db, a: { until: string; limit: number }) => {
      builds++;
      return db
        .selectFrom('outbox_jobs')
        .select('id')
        .where('kind', '=', 'notice')
        .where('run_at', '<=', a.until)
        .orderBy('run_at')
        .limit(a.limit);
    });
    const ids = async (on: Db, until: string, limit: number) =>
      (await due(on, { until, limit })).rows.map((r) => r.id);
    assert.deepEqual(await ids(db, '2026-12-04T10:06:00.000Z', 10), ['job-0', 'job-1']);
    assert.deepEqual(await ids(db, '2026-12-04T11:00:00.000Z', 10), ['job-0', 'job-1', 'job-2']);
    assert.deepEqual(await ids(db, '2026-12-04T11:00:00.000Z', 1), ['job-0']);
    assert.deepEqual(await ids(db, '2026-12-04T09:00:00.000Z', 10), []);
    assert.deepEqual(await db.transaction().execute((tx) => ids(tx, '2026-12-04T10:00:00.000Z', 10)), [
      'job-0',
    ]);
    assert.equal(builds, 1);
  },
);

eachDialect(test, 'the prepared job claim takes only due jobs, each once', async (db) => {
  await addJobs(db, ['2026-12-04T10:00:00.000Z', '2026-12-04T10:05:00.000Z']);
  const first = await claimJobs(db, 'w1', new Date('2026-12-04T10:01:00.000Z'), 600_000, 10);
  assert.deepEqual(
    first.map((j) => [j.id, j.state, j.locked_by, j.attempts]),
    [['job-0', 'running', 'w1', 1]],
  );
  // Within job-0's ten-minute lease: only job-1 has come due.
  const second = await claimJobs(db, 'w2', new Date('2026-12-04T10:06:00.000Z'), 8000, 10);
  assert.deepEqual(
    second.map((j) => [j.id, j.locked_by]),
    [['job-1', 'w2']],
  );
});

test('on PostgreSQL the claim is a named statement, parsed once per connection, and survives a new column', {
  skip: !process.env.CRIER_TEST_DATABASE_URL && 'CRIER_TEST_DATABASE_URL is not set',
}, async () => {
  const t = await openTestDb({ name: 'postgres', url: process.env.CRIER_TEST_DATABASE_URL ?? '' });
  try {
    await addJobs(t.db, ['2026-12-04T10:00:00.000Z', '2026-12-04T10:05:00.000Z']);
    await t.db.connection().execute(async (conn) => {
      const kept = async () =>
        (
          await sql<{ name: string }>`select name from pg_prepared_statements
            where statement like 'update "outbox_jobs"%'`.execute(conn)
        ).rows.map((r) => r.name);
      assert.deepEqual(await claimJobs(conn, 'w1', new Date('2026-12-04T09:00:00.000Z'), 8000, 10), []);
      const names = await kept();
      assert.equal(names.length, 1);
      assert.match(names[0] ?? '', /^crier_/);
      assert.deepEqual(await claimJobs(conn, 'w1', new Date('2026-12-04T09:30:00.000Z'), 8000, 10), []);
      assert.deepEqual(await kept(), names);
      // A newer process's migration adds a column: the kept plan's rows no longer fit (0A000).
      await sql`alter table outbox_jobs add column note text`.execute(conn);
      const claimed = await claimJobs(conn, 'w1', new Date('2026-12-04T10:01:00.000Z'), 8000, 10);
      assert.deepEqual(
        claimed.map((j) => j.id),
        ['job-0'],
      );
      assert.equal((await kept()).length, 2);
    });
  } finally {
    await t.close();
  }
});

test('a named statement asked for with a callback, as pg’s pool asks, answers through it', {
  skip: !process.env.CRIER_TEST_DATABASE_URL && 'CRIER_TEST_DATABASE_URL is not set',
}, async () => {
  const client = new pg.Client({ connectionString: process.env.CRIER_TEST_DATABASE_URL });
  await client.connect();
  try {
    sendNamedStatements(client as pg.PoolClient);
    const text = 'select $1::int + 1 as two';
    nameStatement(text);
    assert.equal((await client.query(text, [1])).rows[0]?.two, 2);
    const viaCallback = await new Promise<unknown>((resolve, reject) =>
      client.query(text, [1], (err: Error | null, res: pg.QueryResult) =>
        err ? reject(err) : resolve(res.rows[0]?.two),
      ),
    );
    assert.equal(viaCallback, 2);
  } finally {
    await client.end();
  }
});
