/**
 * The plan's tables: applied plan versions, incident role holders, approval
 * decisions; and the columns drafts, lint and cadence need on updates and
 * incidents. SQLite adds one column per ALTER TABLE, so each is its own.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const serial = pg ? ('serial' as const) : ('integer' as const);
  const serialKey = <T extends { primaryKey(): T; autoIncrement(): T }>(c: T): T =>
    pg ? c.primaryKey() : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('plan_versions')
    .addColumn('version', serial, serialKey)
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('plan', 'text', (c) => c.notNull())
    .addColumn('diff', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('incident_roles')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('assigned_at', 'text', (c) => c.notNull())
    .addColumn('assigned_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('incident_roles_pk', ['incident_id', 'role'])
    .execute();

  await db.schema
    .createTable('update_decisions')
    .addColumn('id', serial, serialKey)
    .addColumn('update_id', 'text', (c) => c.notNull().references('incident_updates.id').onDelete('cascade'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('as_role', 'text')
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('update_decisions_by_update')
    .on('update_decisions')
    .columns(['update_id', 'round'])
    .execute();

  const updateColumns: [string, 'text' | 'integer', boolean][] = [
    ['round', 'integer', true],
    ['submitted_at', 'text', false],
    ['pending', 'text', false],
    ['lint', 'text', false],
    ['lint_override', 'text', false],
    ['published_unapproved', 'integer', true],
    ['rendered', 'text', false],
  ];
  for (const [name, type, zero] of updateColumns) {
    await db.schema
      .alterTable('incident_updates')
      .addColumn(name, type, (c) => (zero ? c.notNull().defaultTo(0) : c))
      .execute();
  }

  const incidentColumns: [string, 'text' | 'integer', boolean][] = [
    ['next_internal_update_due_at', 'text', false],
    ['cadence_due', 'integer', true],
    ['cadence_on_time', 'integer', true],
  ];
  for (const [name, type, zero] of incidentColumns) {
    await db.schema
      .alterTable('incidents')
      .addColumn(name, type, (c) => (zero ? c.notNull().defaultTo(0) : c))
      .execute();
  }
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
