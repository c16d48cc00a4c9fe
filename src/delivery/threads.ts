/**
 * One thread per incident on a social account: a channel whose module
 * `threads` is wrapped so that each post of an incident's update replies to
 * the previous post the channel made for that incident, and a correction
 * names the post of the update it corrects. The posts are kept by channel
 * and incident (social_posts), written once the network took them.
 */
import { moduleOf } from '../channels/registry.ts';
import type { Channel } from '../channels/types.ts';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/db.ts';
import { deliverySubject, postsOf, recordPost } from '../store/social-posts.ts';

/** A correction's subject id is `<update id>:<edit id>`; an update's is the update id. */
const updateOf = (subjectType: string, subjectId: string) =>
  subjectType === 'incident_correction' ? (subjectId.split(':')[0] ?? subjectId) : subjectId;

export function threaded(channel: Channel, db: Db, clock: Clock): Channel {
  if (moduleOf(channel.type)?.threads !== true) return channel;
  return {
    name: channel.name,
    type: channel.type,
    async send(target, message) {
      const subject = await deliverySubject(db, message.id);
      const incidentId = subject?.incident_id;
      if (!subject || !incidentId || !/^incident_(update|correction)$/.test(subject.subject_type)) {
        return channel.send(target, message);
      }
      const updateId = updateOf(subject.subject_type, subject.subject_id);
      const posts = await postsOf(db, channel.name, incidentId);
      const first = posts[0];
      const last = posts.at(-1);
      const thread = first && last ? { root: first.post_id, parent: last.post_id } : undefined;
      const corrects =
        subject.subject_type === 'incident_correction'
          ? posts.findLast((p) => p.update_id === updateId)?.post_id
          : undefined;
      const result = await channel.send(target, {
        ...message,
        ...(thread && { thread }),
        ...(corrects && { corrects }),
      });
      // An edit keeps its post where it was in the thread; anything posted anew becomes the one to reply to.
      if (result.ok && result.providerId && result.providerId !== corrects) {
        await recordPost(db, {
          channel: channel.name,
          incident_id: incidentId,
          update_id: updateId,
          post_id: result.providerId,
          posted_at: clock.now().toISOString(),
        });
      }
      return result;
    },
    close: () => channel.close(),
  };
}
