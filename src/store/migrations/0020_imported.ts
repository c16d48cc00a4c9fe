/**
 * Moving in from another status page (`crier import statuspage|cachet`):
 * which of Crier's rows came from which record of the source, so a second
 * run finds what the first created and creates nothing twice.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('imported')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('source_id', 'text', (c) => c.notNull())
    .addColumn('crier_id', 'text', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('imported_key', ['source', 'kind', 'source_id'])
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
