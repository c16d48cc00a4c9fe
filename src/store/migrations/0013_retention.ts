/**
 * Retention: deliveries older than their retention age are deleted, and what
 * the reports count of them is kept here, one row per subject, channel and
 * state, so an update's delivery summary reads the same after the rows go.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('delivery_counts')
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('n', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('delivery_counts_key', ['subject_id', 'channel', 'state'])
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
