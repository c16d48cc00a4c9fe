/**
 * `crier backup` is online: taken from a live SQLite file while another
 * connection keeps writing, it holds one committed state (the restore's own
 * count check passes, and the count lies between the ones before and after),
 * and restores through `crier restore` into SQLite and PostgreSQL; a second
 * restore into the same database is refused.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { migrate, openDatabase } from '../src/store/db.ts';
import { confirmedSubscriber } from '../test/helpers/db.ts';
import { runCli, tempDir } from './helpers/process.ts';

const pgUrl = process.env.CRIER_TEST_DATABASE_URL;

test('a backup taken while writes go on restores one committed state, into either kind', async () => {
  const dir = tempDir('crier-backup-');
  const source = `sqlite:${path.join(dir, 'live.db')}`;
  const db = openDatabase(source);
  await migrate(db);
  const add = async (n: number) => {
    const rows = Array.from({ length: n }, (_, i) =>
      confirmedSubscriber('email', `u${randomBytes(6).toString('hex')}${i}@example.com`),
    );
    await db.insertInto('subscribers').values(rows).execute();
  };
  for (let i = 0; i < 4; i++) await add(500);
  const before = 2000;
  let writing = true;
  let batches = 0;
  const writer = (async () => {
    while (writing) {
      await add(20);
      batches += 1;
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const file = path.join(dir, 'crier.backup.gz');
  const raw = path.join(dir, 'raw.db');
  try {
    const backup = await runCli(['backup', '--out', file], { CRIER_DATABASE_URL: source });
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, /Backed up \d+ rows/);
    const copy = await runCli(['backup', '--out', raw, '--format', 'sqlite'], { CRIER_DATABASE_URL: source });
    assert.equal(copy.code, 0, copy.stderr);
  } finally {
    writing = false;
    await writer;
  }
  const after = before + batches * 20;
  await db.destroy();
  assert.ok(batches > 0, 'writes went on during the backup');

  const rawCount = new SqliteDatabase(raw, { readonly: true })
    .prepare('select count(*) as n from subscribers')
    .get() as { n: number };
  assert.ok(rawCount.n >= before && rawCount.n <= after);

  const targets: { url: string; cleanup: () => Promise<void> }[] = [
    { url: `sqlite:${path.join(dir, 'restored.db')}`, cleanup: async () => {} },
  ];
  if (pgUrl) {
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = openDatabase(pgUrl, { poolSize: 1 });
    await sql`create schema ${sql.id(schema)}`.execute(admin);
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    targets.push({
      url: url.toString(),
      cleanup: async () => {
        await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
        await admin.destroy();
      },
    });
  }
  for (const target of targets) {
    try {
      const restore = await runCli(['restore', file], { CRIER_DATABASE_URL: target.url });
      assert.equal(restore.code, 0, restore.stderr);
      const restored = Number(/subscribers\s+(\d+)/.exec(restore.stdout)?.[1]);
      assert.ok(restored >= before && restored <= after, `${restored} in [${before}, ${after}]`);
      const check = openDatabase(target.url);
      const counted = await check
        .selectFrom('subscribers')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      await check.destroy();
      assert.equal(Number(counted.n), restored);

      const again = await runCli(['restore', file], { CRIER_DATABASE_URL: target.url });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not empty/);
    } finally {
      await target.cleanup();
    }
  }
});
