/**
 * What feedback says about one incident: per update, how many customers
 * found it helpful and what they wrote; the team's ratings and the support
 * tickets counted. The communication review and the reports read it here.
 */
import { z } from 'zod';
import type { Db } from '../../store/db.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';

const UpdateHelpfulness = z.object({
  update_id: z.string(),
  helpful: z.int().describe('Votes saying the update helped.'),
  not_helpful: z.int().describe('Votes saying it did not.'),
  comments: z
    .array(
      z.object({
        helpful: z.boolean(),
        comment: z.string().describe('As the customer wrote it: escape it wherever it is shown.'),
        from: z.enum(['subscriber', 'page']),
        at: z.string(),
      }),
    )
    .describe('Comments left with votes, oldest first. Never published.'),
});
type UpdateHelpfulness = z.infer<typeof UpdateHelpfulness>;

export const FeedbackSummary = z.object({
  incident_id: z.string(),
  helpful: z.int().describe('Customer votes on all the incident’s updates saying they helped.'),
  not_helpful: z.int(),
  updates: z.array(UpdateHelpfulness).describe('Per update that received votes, in the order published.'),
  team: z.object({
    ratings: z.int().describe('How many ratings the team gave.'),
    average_rating: z.number().nullable().describe('Their mean, 1 to 5; null without any.'),
    support_tickets: z
      .int()
      .describe('Support tickets about the incident: the latest count of each reporter, added up.'),
    entries: z.array(
      z.object({
        user_id: z.string(),
        rating: z.int().nullable(),
        comment: z.string().nullable(),
        support_tickets: z.int().nullable(),
        created_at: z.string(),
      }),
    ),
  }),
});
export type FeedbackSummary = z.infer<typeof FeedbackSummary>;

export async function feedbackSummary(ctx: Ctx, incidentId: string): Promise<FeedbackSummary> {
  authorize(ctx, 'read');
  await requireIncident(ctx.db, incidentId);
  return summaryOf(ctx.db, incidentId);
}

/** The summary itself, once the caller may read it. */
async function summaryOf(db: Db, incidentId: string): Promise<FeedbackSummary> {
  const votes = await db
    .selectFrom('feedback_votes as v')
    .innerJoin('incident_updates as u', 'u.id', 'v.update_id')
    .select(['v.update_id', 'v.helpful', 'v.comment', 'v.subscriber_id', 'v.changed_at', 'u.published_at'])
    .where('v.incident_id', '=', incidentId)
    .orderBy('u.published_at')
    .orderBy('v.update_id')
    .orderBy('v.changed_at')
    .orderBy('v.id')
    .execute();
  const updates = new Map<string, UpdateHelpfulness>();
  for (const v of votes) {
    let u = updates.get(v.update_id);
    if (!u) {
      u = { update_id: v.update_id, helpful: 0, not_helpful: 0, comments: [] };
      updates.set(v.update_id, u);
    }
    if (v.helpful === 1) u.helpful += 1;
    else u.not_helpful += 1;
    if (v.comment !== null) {
      u.comments.push({
        helpful: v.helpful === 1,
        comment: v.comment,
        from: v.subscriber_id === null ? 'page' : 'subscriber',
        at: v.changed_at,
      });
    }
  }
  const entries = await db
    .selectFrom('team_feedback')
    .select(['user_id', 'rating', 'comment', 'support_tickets', 'created_at'])
    .where('incident_id', '=', incidentId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const ratings = entries.flatMap((e) => (e.rating === null ? [] : [e.rating]));
  const tickets = new Map<string, number>();
  for (const e of entries) if (e.support_tickets !== null) tickets.set(e.user_id, e.support_tickets);
  const list = [...updates.values()];
  return {
    incident_id: incidentId,
    helpful: list.reduce((n, u) => n + u.helpful, 0),
    not_helpful: list.reduce((n, u) => n + u.not_helpful, 0),
    updates: list,
    team: {
      ratings: ratings.length,
      average_rating:
        ratings.length === 0
          ? null
          : Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100,
      support_tickets: [...tickets.values()].reduce((a, b) => a + b, 0),
      entries,
    },
  };
}
