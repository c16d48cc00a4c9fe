/**
 * The posts a threading broadcast channel made per incident (schema-social.ts):
 * read to find the thread a new post replies to, written once it is posted.
 */
import type { Db } from './db.ts';

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
