/**
 * Token prefixes were the first ten characters of the secret; they become
 * the start of its SHA-256 hash (src/services/tokens/tokens.ts), so the
 * database holds no part of any secret.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update api_tokens set prefix = 'sha256:' || substr(hash, 1, 8)`.execute(db);
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
