/**
 * An update in several languages: `incident_updates.translations` holds its
 * words in each language the plan declares beside the page's own (JSON,
 * `{ fr: { body, variants } }`); null when it speaks the page's language only.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incident_updates').addColumn('translations', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
