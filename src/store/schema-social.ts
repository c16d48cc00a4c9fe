/**
 * What the social channels keep (src/delivery/threads.ts): the posts each
 * threading broadcast channel made per incident. Part of the one schema in
 * schema.ts.
 */

import type { Generated } from 'kysely';

interface SocialPostTable {
  /** Numbered in the order posted. */
  id: Generated<number>;
  /** The plan's name for the channel that posted it. */
  channel: string;
  incident_id: string;
  /** The update it said (a correction that posted anew names the update it corrects). */
  update_id: string;
  /** The post as the network names it (Mastodon's status id…), to reply to or edit. */
  post_id: string;
  posted_at: string;
}

export interface SocialTables {
  social_posts: SocialPostTable;
}
