/**
 * One "next update by" per external audience: `incident_deadlines` keeps,
 * per incident and audience, when its next update is due and how many of
 * its updates fell due and came on time (the incident's own
 * `next_update_due_at`, `cadence_due` and `cadence_on_time` mirror the
 * public audience's, which the page shows). `incident_updates.next_update_at`
 * is the deadline an update's publication set for its audience: the
 * instant every rendering of it names.
 *
 * Incidents from before kept one external deadline, whatever the audience:
 * it becomes the public one.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('incident_deadlines')
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('due_at', 'text')
    .addColumn('updates_due', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updates_on_time', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('incident_deadlines_pk', ['incident_id', 'audience'])
    .execute();
  await db.schema.alterTable('incident_updates').addColumn('next_update_at', 'text').execute();
  await sql`insert into incident_deadlines (incident_id, audience, due_at, updates_due, updates_on_time)
    select id, 'public', next_update_due_at, cadence_due, cadence_on_time from incidents
    where next_update_due_at is not null or cadence_due > 0`.execute(db);
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
