/**
 * Why each approver could decide: `basis` is `approver` (named by the plan),
 * `fallback` (the plan's fallback, once every approver wrote or changed the
 * draft) or `last_resort` (an admin, once everyone the plan names had);
 * `why` says it in a sentence and `reason` is the written reason a last
 * resort needs. Decisions made before were all by named approvers.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('update_decisions')
    .addColumn('basis', 'text', (c) => c.notNull().defaultTo('approver'))
    .execute();
  await db.schema.alterTable('update_decisions').addColumn('why', 'text').execute();
  await db.schema.alterTable('update_decisions').addColumn('reason', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
