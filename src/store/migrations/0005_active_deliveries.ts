/**
 * Indexes that stay the size of the work, not of the history. The index the
 * worker claims from holds the deliveries still to send (pending, failed,
 * sending): indexed by state as well, it kept an entry for every delivery
 * ever sent, and each outcome moved one from its unsent part to its sent
 * part; partial, an outcome only removes it. Dead deliveries, which need a
 * person, have a partial index of their own. Sent deliveries are counted
 * per channel as outcomes are written, so `/metrics` reads a few rows
 * instead of counting every delivery ever made.
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
  await db.schema
    .createIndex('deliveries_dead')
    .on('deliveries')
    .column('channel')
    .where(sql.ref('state'), '=', sql.lit('dead'))
    .execute();
  await db.schema
    .createTable('delivery_sent_counts')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();
  await sql`insert into delivery_sent_counts (channel, n)
    select channel, count(*) from deliveries where state = 'sent' group by channel`.execute(db);
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
