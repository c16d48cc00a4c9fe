/**
 * An incident's room catches up, in the worker (a `chat.room` job): the room
 * is made if it is not yet, the role holders are invited (looked up by
 * email), the topic says the status and when the next update is due, and
 * every timeline entry the room has not seen is posted, in order. Once the
 * incident is resolved, the room is archived the plan's number of days
 * later (re-armed if it is resolved again, called off if it reopens).
 *
 * One worker at a time per room (a lease on the row), so entries are posted
 * once and in order; a job that finds the lease taken comes back shortly.
 * A failed call leaves the room where it got to and is retried by the
 * outbox; what was done is not done again.
 */
import { z } from 'zod';
import type { ChatRooms } from '../../channels/rooms.ts';
import { roomTopic } from '../../domain/chat-rooms.ts';
import { isOpen } from '../../domain/incidents.ts';
import { auditValuesOf, readJson } from '../../store/json.ts';
import { cancelJob, enqueueJob, type JobPayloads } from '../../store/outbox.ts';
import type { ChatRoomRow } from '../../store/schema-ingest.ts';
import type { Ctx } from '../context.ts';
import { incidentLink } from '../incidents/links.ts';
import { holdersOf } from '../plan/roles.ts';
import { withTransaction } from '../transaction.ts';
import { buttonKey, buttonProof } from './button-proof.ts';
import { roomPostOf } from './words.ts';

export type RoomOutcome =
  | { readonly outcome: 'done' }
  /** Another worker holds the room, or more entries wait: come back at this time. */
  | { readonly outcome: 'again'; readonly at: Date }
  | { readonly outcome: 'retry'; readonly reason: string }
  | { readonly outcome: 'failed'; readonly reason: string };

const leaseMs = 60_000;
/** Entries posted per run; more come in the next. */
const batch = 50;

const Emails = z.array(z.string());

async function lease(ctx: Ctx, id: string): Promise<ChatRoomRow | undefined> {
  const now = ctx.clock.now();
  return ctx.db
    .updateTable('chat_rooms')
    .set({ lease_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where('id', '=', id)
    .where('state', '!=', 'archived')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
    .returningAll()
    .executeTakeFirst();
}

export async function keepRoom(
  ctx: Ctx,
  job: JobPayloads['chat.room'],
  roomsOf: (channel: string) => ChatRooms | undefined,
): Promise<RoomOutcome> {
  const room = await lease(ctx, job.room);
  if (!room) {
    const exists = await ctx.db
      .selectFrom('chat_rooms')
      .select('state')
      .where('id', '=', job.room)
      .executeTakeFirst();
    return exists && exists.state !== 'archived'
      ? { outcome: 'again', at: new Date(ctx.clock.now().getTime() + 1000) }
      : { outcome: 'done' };
  }
  let outcome: RoomOutcome;
  try {
    const rooms = roomsOf(room.channel);
    outcome = rooms
      ? await (job.archive ? archive(ctx, room, rooms) : catchUp(ctx, room, rooms))
      : { outcome: 'failed', reason: `the plan's channel "${room.channel}" no longer keeps rooms` };
  } catch (err) {
    outcome = { outcome: 'retry', reason: err instanceof Error ? err.message : String(err) };
  }
  await ctx.db
    .updateTable('chat_rooms')
    .set({
      lease_until: null,
      last_error: outcome.outcome === 'done' || outcome.outcome === 'again' ? null : outcome.reason,
    })
    .where('id', '=', room.id)
    .execute();
  return outcome;
}

const failed = (r: { retry: boolean; reason: string }): RoomOutcome =>
  r.retry ? { outcome: 'retry', reason: r.reason } : { outcome: 'failed', reason: r.reason };

async function catchUp(ctx: Ctx, room: ChatRoomRow, rooms: ChatRooms): Promise<RoomOutcome> {
  const incident = await ctx.db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', room.incident_id)
    .executeTakeFirstOrThrow();
  let roomId = room.room_id;
  if (roomId === null) {
    const created = await rooms.create(
      room.name,
      `${incident.drill === 1 ? '[DRILL] ' : ''}${incident.name}`,
    );
    if (!created.ok) return failed(created);
    roomId = created.value;
    const now = ctx.clock.now().toISOString();
    await ctx.db
      .updateTable('chat_rooms')
      .set({ room_id: roomId, state: 'open', opened_at: now })
      .where('id', '=', room.id)
      .execute();
  }

  // The role holders, as the rotas name them (email addresses), invited once each.
  const invited = readJson(Emails, room.invited, 'chat_rooms.invited');
  const holders = Object.values(await holdersOf(ctx.db, incident.id)).filter(
    (h): h is string => typeof h === 'string' && h.includes('@') && !invited.includes(h),
  );
  const people = [...new Set(holders)];
  if (people.length > 0) {
    const ids: string[] = [];
    for (const email of people) {
      const found = await rooms.userByEmail(email);
      if (!found.ok) return failed(found);
      if (found.value !== null) ids.push(found.value);
    }
    const done = await rooms.invite(roomId, ids);
    if (!done.ok) return failed(done);
    await ctx.db
      .updateTable('chat_rooms')
      .set({ invited: JSON.stringify([...invited, ...people]) })
      .where('id', '=', room.id)
      .execute();
  }

  const topic = roomTopic(incident);
  if (topic !== room.topic) {
    const set = await rooms.setTopic(roomId, topic);
    if (!set.ok) return failed(set);
    await ctx.db.updateTable('chat_rooms').set({ topic }).where('id', '=', room.id).execute();
  }

  const updateIds = ctx.db.selectFrom('incident_updates').select('id').where('incident_id', '=', incident.id);
  const entries = await ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .where('id', '>', room.audit_cursor)
    .where((eb) =>
      eb.or([
        eb.and([eb('subject_type', '=', 'incident'), eb('subject_id', '=', incident.id)]),
        eb.and([eb('subject_type', '=', 'incident_update'), eb('subject_id', 'in', updateIds)]),
      ]),
    )
    .orderBy('id', 'asc')
    .limit(batch + 1)
    .execute();
  const url = await incidentLink(ctx.db, ctx.config.publicUrl, incident.id, 'team');
  for (const entry of entries.slice(0, batch)) {
    const update =
      entry.subject_type === 'incident_update' && entry.subject_id !== null
        ? await ctx.db
            .selectFrom('incident_updates')
            .selectAll()
            .where('id', '=', entry.subject_id)
            .executeTakeFirst()
        : undefined;
    const message = roomPostOf({ ...entry, after: auditValuesOf(entry).after }, incident, update, url);
    if (message !== null) {
      const action = message.decide !== undefined && (await buttonAction(ctx, room.channel, message.decide));
      const posted = await rooms.post(roomId, {
        ...message,
        ...(incident.drill === 1 && { drill: true }),
        ...(action && { action }),
      });
      if (!posted.ok) return failed(posted);
    }
    await ctx.db
      .updateTable('chat_rooms')
      .set({ audit_cursor: entry.id })
      .where('id', '=', room.id)
      .execute();
  }

  await withTransaction(ctx, async (tx) => {
    const key = `chat.archive:${room.id}`;
    if (isOpen(incident.status) || incident.resolved_at === null) {
      await cancelJob(tx, key);
      return;
    }
    const at = new Date(Date.parse(incident.resolved_at) + rooms.archiveAfterDays * 86_400_000);
    await enqueueJob(tx, {
      kind: 'chat.room',
      payload: { room: room.id, archive: true },
      runAt: at,
      dedupeKey: key,
      replace: true,
    });
  });
  return entries.length > batch ? { outcome: 'again', at: ctx.clock.now() } : { outcome: 'done' };
}

/** Where a button's click goes and the install's proof of the draft it names. */
async function buttonAction(ctx: Ctx, channel: string, value: string) {
  const url = `${ctx.config.publicUrl.replace(/\/+$/, '')}/chatops/${encodeURIComponent(channel)}/interaction`;
  return { url, proof: buttonProof(await buttonKey(ctx.db), channel, value) };
}

async function archive(ctx: Ctx, room: ChatRoomRow, rooms: ChatRooms): Promise<RoomOutcome> {
  const incident = await ctx.db
    .selectFrom('incidents')
    .select(['status', 'resolved_at'])
    .where('id', '=', room.incident_id)
    .executeTakeFirst();
  // Reopened since the archive was armed: the room stays.
  if (!incident || isOpen(incident.status)) return { outcome: 'done' };
  if (room.room_id !== null) {
    const done = await rooms.archive(room.room_id);
    if (!done.ok) return failed(done);
  }
  await ctx.db
    .updateTable('chat_rooms')
    .set({ state: 'archived', archived_at: ctx.clock.now().toISOString() })
    .where('id', '=', room.id)
    .execute();
  return { outcome: 'done' };
}
