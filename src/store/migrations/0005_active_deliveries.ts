/**
 * The index the worker claims from holds the deliveries still to send
 * (pending, failed, sending) and nothing else. Indexed by state as well, it
 * kept an entry for every delivery ever sent, and each outcome moved one
 * from the unsent part to the sent part; partial, an outcome only removes
 * it, and the index stays the size of the queue.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_due').execute();
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['channel', 'next_attempt_at'])
    .where(sql.ref('state'), 'in', [sql.lit('pending'), sql.lit('failed'), sql.lit('sending')])
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
