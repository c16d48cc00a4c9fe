/**
 * Upgrading a database whose plan versions were stored before Crier kept
 * their origin: versions applied by the plan file are marked as such, with
 * the file's hash (its text is their source) and path (the apply's audit
 * entry kept it), so the first start after the upgrade knows the file is
 * unchanged and does not undo a later version applied through the API.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import { type Db, migrate, migrationNames, openDatabase } from '../../src/store/db.ts';
import { dialects } from '../helpers/db.ts';

const name = '0006_plan_origin';
/** The migration just before it: the database is brought up to there, as an older Crier left it. */
const previous = migrationNames[migrationNames.indexOf(name) - 1] as string;

for (const dialect of dialects) {
  test(`plan versions stored before ${name} get their origin [${dialect.name}]`, async () => {
    const schema = dialect.name === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined;
    const admin = schema ? openDatabase(dialect.url, { poolSize: 1 }) : null;
    if (admin && schema) await sql`create schema ${sql.id(schema)}`.execute(admin);
    const db: Db = openDatabase(dialect.url, schema ? { schema, poolSize: 2 } : {});
    try {
      await migrate(db, previous);
      const fileText = 'page: { name: Acme }\n';
      for (const [version, by, source] of [
        [1, 'plan-file', fileText],
        [2, 'token:admin', 'page: { name: Acme 2 }\n'],
      ] as const) {
        await sql`insert into plan_versions (version, applied_at, applied_by, source, plan, diff, hash)
          values (${version}, '2026-01-15T10:00:00.000Z', ${by}, ${source}, '{}', '[]', ${`h${version}`})`.execute(
          db,
        );
        await sql`insert into audit_log (at, actor, action, subject_type, subject_id, source)
          values ('2026-01-15T10:00:00.000Z', ${by}, 'plan.apply', 'plan', ${String(version)},
            ${by === 'plan-file' ? '/etc/crier/crier.yaml' : '127.0.0.1'})`.execute(db);
      }

      assert.deepEqual((await migrate(db))[0], name);
      const rows = await db
        .selectFrom('plan_versions')
        .select(['version', 'applied_via', 'file_path', 'file_hash'])
        .orderBy('version')
        .execute();
      assert.deepEqual(rows, [
        {
          version: 1,
          applied_via: 'file',
          file_path: '/etc/crier/crier.yaml',
          file_hash: createHash('sha256').update(fileText).digest('hex'),
        },
        { version: 2, applied_via: 'api', file_path: null, file_hash: null },
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
