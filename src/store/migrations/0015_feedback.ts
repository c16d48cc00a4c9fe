/**
 * Feedback on the communication (src/services/feedback/): customers' votes
 * on whether an update helped, and the team's rating of an incident's
 * communication with the support tickets it brought.
 *
 * A vote comes from a subscriber (a message's signed link) or, anonymously,
 * from the status page, where the voter's address is kept only as a keyed
 * hash. One vote per subscriber per update and one per address per update,
 * each changeable: the partial unique indexes hold that under concurrent
 * requests on both databases.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('feedback_votes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('update_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('subscriber_id', 'text')
    .addColumn('address_hash', 'text')
    .addColumn('helpful', 'integer', (c) => c.notNull())
    .addColumn('comment', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index feedback_votes_subscriber on feedback_votes (update_id, subscriber_id) where subscriber_id is not null`.execute(
    db,
  );
  await sql`create unique index feedback_votes_address on feedback_votes (update_id, address_hash) where address_hash is not null`.execute(
    db,
  );
  await db.schema.createIndex('feedback_votes_incident').on('feedback_votes').column('incident_id').execute();
  await db.schema
    .createIndex('feedback_votes_address_created')
    .on('feedback_votes')
    .columns(['address_hash', 'created_at'])
    .execute();

  await db.schema
    .createTable('team_feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('rating', 'integer')
    .addColumn('comment', 'text')
    .addColumn('support_tickets', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('team_feedback_incident').on('team_feedback').column('incident_id').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
