/**
 * Upgrading a database whose incidents kept one external deadline: it
 * becomes the public audience's, with its adherence, so the page and the
 * reminders already armed carry on as before.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import { type Db, migrate, migrationNames, openDatabase } from '../../src/store/db.ts';
import { dialects } from '../helpers/db.ts';

const name = '0010_audience_deadlines';
/** The migration just before it: the database is brought up to there, as an older Crier left it. */
const previous = migrationNames[migrationNames.indexOf(name) - 1] as string;

for (const dialect of dialects) {
  test(`incidents stored before ${name} keep their deadline as the public one [${dialect.name}]`, async () => {
    const schema = dialect.name === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const admin = schema ? openDatabase(dialect.url, { poolSize: 1 }) : null;
    if (admin && schema) await sql`create schema ${sql.id(schema)}`.execute(admin);
    const db: Db = openDatabase(dialect.url, schema ? { schema, poolSize: 2 } : {});
    try {
      await migrate(db, previous);
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
