/**
 * Subscribers, the outbox (jobs: fan-outs and timers) and deliveries.
 * See docs/adr/0002-outbox.md for why the tables look like this.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('subscribers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('audience', 'text', (c) => c.notNull().defaultTo('public'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('contact', 'text', (c) => c.notNull())
    .addColumn('contact_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('all_components', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('component_ids', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('locale', 'text')
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('confirm_token', 'text', (c) => c.unique())
    .addColumn('secret', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('disabled_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('confirmed_at', 'text')
    .execute();
  await db.schema
    .createIndex('subscribers_contact')
    .on('subscribers')
    .columns(['audience', 'kind', 'contact_key'])
    .unique()
    .execute();
  await db.schema
    .createIndex('subscribers_fanout')
    .on('subscribers')
    .columns(['audience', 'state', 'id'])
    .execute();

  await db.schema
    .createTable('subscriber_components')
    .addColumn('subscriber_id', 'text', (c) => c.notNull().references('subscribers.id').onDelete('cascade'))
    .addColumn('component_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('subscriber_components_pk', ['subscriber_id', 'component_id'])
    .execute();
  await db.schema
    .createIndex('subscriber_components_by_component')
    .on('subscriber_components')
    .columns(['component_id', 'subscriber_id'])
    .execute();

  await db.schema
    .createTable('outbox_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('cursor', 'text')
    .addColumn('dedupe_key', 'text', (c) => c.unique())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_jobs_due').on('outbox_jobs').columns(['state', 'run_at']).execute();

  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('subscriber_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('via', 'text')
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('provider_id', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema
    .createIndex('deliveries_unique')
    .on('deliveries')
    .columns(['subject_id', 'subscriber_id', 'channel'])
    .unique()
    .execute();
  await db.schema
    .createIndex('deliveries_due')
    .on('deliveries')
    .columns(['channel', 'state', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_by_subscriber')
    .on('deliveries')
    .columns(['subscriber_id'])
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
