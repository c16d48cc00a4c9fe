/**
 * Drills run through the real plan at a speed of their own, and their
 * component changes are drill state: `incidents.drill_speed` divides every
 * duration the plan sets for the incident (1 for every real incident), and
 * `incident_components.drill_status` is a drill's status for a component,
 * which the public component never takes.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('incidents')
    .addColumn('drill_speed', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  await db.schema.alterTable('incident_components').addColumn('drill_status', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
