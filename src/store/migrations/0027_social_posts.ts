/**
 * The posts a threading broadcast channel (Mastodon…) made for each
 * incident, as the network names them, so each later update replies to the
 * previous one and a correction finds the post it corrects.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Numbered in the order posted: a thread's posts are read back in that order.
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('social_posts')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('update_id', 'text', (c) => c.notNull())
    .addColumn('post_id', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('social_posts_thread')
    .on('social_posts')
    .columns(['channel', 'incident_id', 'id'])
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
