/**
 * The posts a threading broadcast channel made per incident (schema-social.ts):
 * read to find the thread a new post replies to, written once it is posted.
 */
import type { Db } from './db.ts';
import { newId } from './ids.ts';

export interface SocialPost {
  update_id: string;
  post_id: string;
}

/** The channel's posts for an incident, first posted first. */
export function postsOf(db: Db, channel: string, incidentId: string): Promise<SocialPost[]> {
  return db
    .selectFrom('social_posts')
    .select(['update_id', 'post_id'])
    .where('channel', '=', channel)
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
}

export async function recordPost(
  db: Db,
  post: SocialPost & { channel: string; incident_id: string; posted_at: string },
): Promise<void> {
  await db.insertInto('social_posts').values(post).execute();
}

/** What a delivery says, for the thread its post goes in. */
export function deliverySubject(db: Db, deliveryId: string) {
  return db
    .selectFrom('deliveries')
    .select(['incident_id', 'subject_type', 'subject_id'])
    .where('id', '=', deliveryId)
    .executeTakeFirst();
}

/**
 * A published update was corrected: each channel that posted it gets a delivery of the
 * correction (`incident_correction`, `<update id>:<edit id>`), to its account, in the
 * correction's transaction. The channel edits its post, or replies saying so.
 */
export async function queueCorrections(
  tx: Db,
  correction: { incidentId: string; updateId: string; editId: number; now: Date },
): Promise<number> {
  const channels = await tx
    .selectFrom('social_posts')
    .select('channel')
    .distinct()
    .where('update_id', '=', correction.updateId)
    .execute();
  if (channels.length === 0) return 0;
  const at = correction.now.toISOString();
  await tx
    .insertInto('deliveries')
    .values(
      channels.map(({ channel }) => ({
        id: newId(),
        subject_type: 'incident_correction',
        subject_id: `${correction.updateId}:${correction.editId}`,
        incident_id: correction.incidentId,
        subscriber_id: `account:${channel}`,
        channel,
        state: 'pending' as const,
        attempts: 0,
        next_attempt_at: at,
        lease_until: null,
        created_at: at,
        updated_at: at,
      })),
    )
    .execute();
  return channels.length;
}
