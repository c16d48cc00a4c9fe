/**
 * Each incident remembers the plan version in force when it was declared,
 * so a plan version links to the incidents run under it and an incident is
 * scored against the targets it ran under, not those of a later plan.
 * Incidents declared before this migration have none (null).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('plan_version', 'integer').execute();
  await db.schema.createIndex('incidents_plan_version').on('incidents').column('plan_version').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
