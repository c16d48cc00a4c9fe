/**
 * A chat room per incident: when an incident is declared and the plan's
 * internal audience asks for rooms, each of its channels with a bot gets a
 * room row and a job that makes the room (src/services/chat/sync.ts). From
 * then on every audit entry about the incident (its timeline: updates,
 * roles, approval requests and decisions, edits) queues the room's job,
 * which posts what the room has not yet seen, in order.
 */
import { roomName } from '../../domain/chat-rooms.ts';
import { roomChannels } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import { newId } from '../../store/ids.ts';
import { enqueueJob, type OutboxWriter } from '../../store/outbox.ts';
import type { IncidentRow } from '../../store/schema.ts';

/** Inside the declaring transaction: a room for the incident on each channel that keeps them. */
export async function openRooms(tx: OutboxWriter, incident: IncidentRow, plan: Plan | null): Promise<void> {
  await openRoomsOn(tx, incident, roomChannels(plan));
}

/**
 * A room for the incident on each of these channels that has none yet (and a job to make it);
 * returns the channels that got one. A channel with a room already keeps it.
 */
export async function openRoomsOn(
  tx: OutboxWriter,
  incident: IncidentRow,
  channels: readonly string[],
): Promise<string[]> {
  const opened: string[] = [];
  for (const channel of channels) {
    const id = newId();
    const inserted = await tx.db
      .insertInto('chat_rooms')
      .values({
        id,
        incident_id: incident.id,
        channel,
        name: roomName(incident),
        state: 'opening',
        room_id: null,
        topic: null,
        invited: '[]',
        audit_cursor: 0,
        lease_until: null,
        last_error: null,
        created_at: tx.clock.now().toISOString(),
        opened_at: null,
        archived_at: null,
      })
      .onConflict((oc) => oc.columns(['incident_id', 'channel']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) continue;
    await enqueueJob(tx, { kind: 'chat.room', payload: { room: id } });
    opened.push(channel);
  }
  return opened;
}

/** Subjects whose audit entries belong to an incident's timeline, and so to its rooms. */
const followed = new Set(['incident', 'incident_update']);

/**
 * After an audit entry about an incident or one of its updates (inside the same transaction):
 * each of its rooms still kept gets a job to post it. Costs one indexed read when it has none.
 */
export async function followInRooms(
  tx: OutboxWriter,
  subjectType: string,
  subjectId: string | null,
): Promise<void> {
  if (subjectId === null || !followed.has(subjectType)) return;
  const rooms =
    subjectType === 'incident'
      ? await tx.db
          .selectFrom('chat_rooms')
          .select('id')
          .where('incident_id', '=', subjectId)
          .where('state', '!=', 'archived')
          .execute()
      : await tx.db
          .selectFrom('chat_rooms')
          .innerJoin('incident_updates', 'incident_updates.incident_id', 'chat_rooms.incident_id')
          .select('chat_rooms.id')
          .where('incident_updates.id', '=', subjectId)
          .where('chat_rooms.state', '!=', 'archived')
          .execute();
  for (const room of rooms) await enqueueJob(tx, { kind: 'chat.room', payload: { room: room.id } });
}
