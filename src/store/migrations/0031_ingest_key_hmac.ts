/**
 * A Grafana ingest key's own HMAC secret, by reference (`env:NAME`, read
 * from Crier's environment when a request comes): each contact point may
 * sign with its own. The secret's value is never stored.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('ingest_keys').addColumn('hmac_secret', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
