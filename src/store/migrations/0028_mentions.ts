/**
 * The sentiment watch (docs/sentiment.md): the mentions read while an
 * incident is open, as little of each as the counts need (who, the link,
 * when, the score; never the words), where each account's feeds stand, how
 * long a network asked to be left alone, and whether an incident's comms
 * lead was told of the burst under way.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  await db.schema
    .createTable('mentions')
    .addColumn('id', pg ? 'serial' : 'integer', (c) => (pg ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('network', 'text', (c) => c.notNull())
    .addColumn('handle', 'text', (c) => c.notNull())
    .addColumn('link', 'text', (c) => c.notNull())
    .addColumn('posted_at', 'text', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .execute();
  // A post read twice (two terms, two feeds, an inclusive `since`) counts once.
  await db.schema
    .createIndex('mentions_once')
    .on('mentions')
    .columns(['incident_id', 'link'])
    .unique()
    .execute();
  await db.schema
    .createIndex('mentions_by_time')
    .on('mentions')
    .columns(['incident_id', 'posted_at'])
    .execute();
  await db.schema.createIndex('mentions_age').on('mentions').columns(['posted_at']).execute();

  await db.schema
    .createTable('mention_cursors')
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('since', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('mention_cursors_pk', ['incident_id', 'channel', 'feed'])
    .execute();

  // A network's rate limit is its account's, whatever the incident: one row per channel.
  await db.schema
    .createTable('listen_limits')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('until', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sentiment_bursts')
    .addColumn('incident_id', 'text', (c) => c.primaryKey())
    .addColumn('alerted_at', 'text', (c) => c.notNull())
    .addColumn('negatives', 'integer', (c) => c.notNull())
    .addColumn('over', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
