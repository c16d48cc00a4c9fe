/**
 * Game days that run (src/services/drills/game-day.ts): one row per run of
 * one of the plan's `drills:` entries, with the script as it was when the
 * run started, how far it has got, and the channels it has made to fail
 * for its drill's messages.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('game_days')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('speed', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('script', 'text', (c) => c.notNull())
    .addColumn('steps_done', 'integer', (c) => c.notNull())
    .addColumn('failing', 'text', (c) => c.notNull())
    .addColumn('started_by', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('game_days_incident').on('game_days').column('incident_id').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
