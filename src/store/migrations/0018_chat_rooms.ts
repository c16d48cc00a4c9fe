/**
 * A chat room per incident (src/services/chat/): one row per incident and
 * plan channel whose bot keeps a room for it. `room_id` is the provider's id
 * once the room exists; `audit_cursor` is the last audit entry of the
 * incident posted there, so every entry is posted once, in order;
 * `lease_until` keeps two workers from posting the same entries at once.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('chat_rooms')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull().references('incidents.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text')
    .addColumn('topic', 'text')
    .addColumn('invited', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('audit_cursor', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text')
    .addColumn('archived_at', 'text')
    .execute();
  await db.schema
    .createIndex('chat_rooms_incident_channel')
    .on('chat_rooms')
    .columns(['incident_id', 'channel'])
    .unique()
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
