/**
 * Where each plan version came from: `applied_via` is `file` (CRIER_PLAN at
 * start) or `api` (`PUT /plan`, which `crier plan apply` uses); `file_path`
 * and `file_hash` (SHA-256 of the file's text) record the plan file that
 * produced the version, or that was found at a later start to hold the same
 * plan. At start the file is applied only when its hash differs from the
 * last one recorded, so a restart never undoes a plan applied through the
 * API.
 *
 * Versions applied before this migration: those by `plan-file` came from the
 * file, whose text is their `source`, and whose path the audit entry of the
 * apply kept as its source; the others came through the API.
 */
import { createHash } from 'node:crypto';
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('plan_versions')
    .addColumn('applied_via', 'text', (c) => c.notNull().defaultTo('api'))
    .execute();
  await db.schema.alterTable('plan_versions').addColumn('file_path', 'text').execute();
  await db.schema.alterTable('plan_versions').addColumn('file_hash', 'text').execute();

  const fromFile = await sql<{ version: number; source: string; path: string | null }>`
    select v.version, v.source,
      (select a.source from audit_log a
        where a.action = 'plan.apply' and a.subject_type = 'plan'
          and a.subject_id = cast(v.version as text)
        order by a.id desc limit 1) as path
    from plan_versions v where v.applied_by = 'plan-file'`.execute(db);
  for (const row of fromFile.rows) {
    await sql`update plan_versions set applied_via = 'file',
        file_path = ${row.path}, file_hash = ${createHash('sha256').update(row.source).digest('hex')}
      where version = ${row.version}`.execute(db);
  }
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
