/**
 * Upgrading a database whose incidents kept one external deadline: it
 * becomes the public audience's, with its adherence, so the page and the
 * reminders already armed carry on as before.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { type Kysely, sql } from 'kysely';
import { type MigrationProvider, Migrator } from 'kysely/migration';
import { type Db, migrate, openDatabase } from '../../src/store/db.ts';
import { migrations } from '../../src/store/migrations/index.ts';
import { dialects } from '../helpers/db.ts';

const name = '0010_audience_deadlines';
const all = Object.entries(migrations);
const before = Object.fromEntries(
  all.slice(
    0,
    all.findIndex(([n]) => n === name),
  ),
);
const provider: MigrationProvider = { getMigrations: async () => before };

for (const dialect of dialects) {
  test(`incidents stored before ${name} keep their deadline as the public one [${dialect.name}]`, async () => {
    const schema = dialect.name === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const admin = schema ? openDatabase(dialect.url, { poolSize: 1 }) : null;
    if (admin && schema) await sql`create schema ${sql.id(schema)}`.execute(admin);
    const db: Db = openDatabase(dialect.url, schema ? { schema, poolSize: 2 } : {});
    try {
      const migrator = new Migrator({
        db: db as unknown as Kysely<unknown>,
        provider,
        ...(schema && { migrationTableSchema: schema }),
      });
      // As in plan-origin-migration.db.test.ts: another file dropping its schema can fail the first read.
      for (let attempt = 1; ; attempt += 1) {
        const { error } = await migrator.migrateToLatest();
        if (error === undefined) break;
        if (attempt >= 3 || !/does not exist/.test(String(error))) throw error;
      }
      const at = '2026-01-15T10:00:00.000Z';
      for (const [id, due, counted, onTime] of [
        ['open', '2026-01-15T10:30:00.000Z', 2, 1],
        ['quiet', null, 0, 0],
      ] as const) {
        await sql`insert into incidents (id, name, status, impact, drill, started_at, declared_at,
            next_update_due_at, created_by, created_at, updated_at, cadence_due, cadence_on_time)
          values (${id}, ${id}, 'investigating', 'minor', 0, ${at}, ${at}, ${due}, 'test', ${at}, ${at},
            ${counted}, ${onTime})`.execute(db);
      }

      assert.ok((await migrate(db)).includes(name));
      const rows = await db.selectFrom('incident_deadlines').selectAll().execute();
      assert.deepEqual(rows, [
        {
          incident_id: 'open',
          audience: 'public',
          due_at: '2026-01-15T10:30:00.000Z',
          updates_due: 2,
          updates_on_time: 1,
        },
      ]);
    } finally {
      await db.destroy();
      if (admin && schema) {
        await sql`drop schema ${sql.id(schema)} cascade`.execute(admin);
        await admin.destroy();
      }
    }
  });
}
