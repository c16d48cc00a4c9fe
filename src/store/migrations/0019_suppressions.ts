/**
 * Suppressed contacts: an email address that bounced for good or
 * complained, or a phone number the provider cannot reach, gets nothing
 * more, whatever audience it subscribed in. One row per kind and
 * normalised contact; soft bounces are counted on it until they reach the
 * threshold, and `suppressed_at` says since when it is suppressed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('suppressions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('contact_key', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('soft_bounces', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('suppressed_at', 'text')
    .addColumn('first_at', 'text', (c) => c.notNull())
    .addColumn('last_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('suppressions_contact', ['kind', 'contact_key'])
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
