/**
 * Reading and running migrations on PostgreSQL looks at the migration schema
 * alone: schemas other processes create and drop meanwhile in the same
 * database (each PostgreSQL test has its own) never fail it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import {
  appliedMigrations,
  migrate,
  migrationNames,
  migrationsCurrent,
  openDatabase,
} from '../../src/store/db.ts';
import { dialects, openTestDb } from '../helpers/db.ts';

const postgres = dialects.find((d) => d.name === 'postgres');

test('migrations are read and run while other schemas come and go', {
  skip: postgres ? false : 'CRIER_TEST_DATABASE_URL is not set',
}, async () => {
  if (!postgres) return;
  const target = await openTestDb(postgres);
  const churn = openDatabase(postgres.url, { poolSize: 1 });
  let stop = false;
  let dropped = 0;
  // Another process's schemas, each with a table, created and dropped as fast as it can.
  const churning = (async () => {
    while (!stop) {
      const schema = `t_${randomBytes(6).toString('hex')}`;
      await sql`create schema ${sql.id(schema)}`.execute(churn);
      await sql`create table ${sql.id(schema, 'rows')} (id serial primary key)`.execute(churn);
      await sql`drop schema ${sql.id(schema)} cascade`.execute(churn);
      dropped += 1;
    }
  })();
  try {
    const fresh = `t_${randomBytes(6).toString('hex')}`;
    await sql`create schema ${sql.id(fresh)}`.execute(churn);
    const other = openDatabase(postgres.url, { schema: fresh, poolSize: 1 });
    try {
      assert.deepEqual(await migrate(other), [...migrationNames]);
    } finally {
      await other.destroy();
      await sql`drop schema ${sql.id(fresh)} cascade`.execute(churn);
    }
    for (let i = 0; i < 60 || dropped < 50; i += 1) {
      assert.deepEqual(await appliedMigrations(target.db), [...migrationNames]);
      assert.equal(await migrationsCurrent(target.db), true);
      assert.deepEqual(await migrate(target.db), []);
    }
  } finally {
    stop = true;
    await churning;
    await churn.destroy();
    await target.close();
  }
});

for (const dialect of dialects) {
  test(`a migration that sorts before one already applied still runs [${dialect.name}]`, async () => {
    const t = await openTestDb(dialect);
    try {
      // As a database that ran every migration but one written alongside the later ones.
      await sql`drop table chat_rooms`.execute(t.db);
      await sql`delete from kysely_migration where name = '0018_chat_rooms'`.execute(t.db);
      assert.equal(await migrationsCurrent(t.db), false);
      assert.deepEqual(await migrate(t.db), ['0018_chat_rooms']);
      assert.deepEqual(await appliedMigrations(t.db), [...migrationNames]);
      assert.deepEqual(await t.db.selectFrom('chat_rooms').selectAll().execute(), []);
    } finally {
      await t.close();
    }
  });
}
