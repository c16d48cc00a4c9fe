/**
 * The team's feedback on an incident's communication: responders and
 * support leads rate it (1 to 5, with a comment), and support records the
 * tickets it brought. A helpdesk pushes its ticket count with a token of its
 * own; each reporter's latest count stands, so pushing the running total
 * again and again counts it once.
 */
import { z } from 'zod';
import { maxTeamCommentLength } from '../../domain/feedback.ts';
import { newId } from '../../store/ids.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';
import { withTransaction } from '../transaction.ts';
import { CommentText } from './inputs.ts';
import { type FeedbackSummary, feedbackSummary } from './summary.ts';

export const TeamFeedbackInput = z
  .strictObject({
    rating: z
      .int()
      .min(1)
      .max(5)
      .optional()
      .describe('How well the incident was communicated: 1 (poorly) to 5 (very well).'),
    comment: CommentText(maxTeamCommentLength).optional().describe('What went well or should change.'),
    support_tickets: z
      .int()
      .min(0)
      .max(10_000_000)
      .optional()
      .describe(
        'Support tickets about this incident as the reporter counts them so far; a later count from the same reporter replaces it.',
      ),
  })
  .refine((v) => v.rating !== undefined || v.support_tickets !== undefined, {
    message: 'Give a rating, a support ticket count, or both.',
    path: ['rating'],
  });
export type TeamFeedbackInput = z.input<typeof TeamFeedbackInput>;

export async function giveTeamFeedback(
  ctx: Ctx,
  incidentId: string,
  raw: TeamFeedbackInput,
): Promise<FeedbackSummary> {
  authorize(ctx, 'incident.feedback');
  const input = TeamFeedbackInput.parse(raw);
  await withTransaction(ctx, async (tx) => {
    await requireIncident(tx.db, incidentId);
    const row = {
      id: newId(),
      incident_id: incidentId,
      user_id: tx.actor.id,
      rating: input.rating ?? null,
      comment: input.comment ?? null,
      support_tickets: input.support_tickets ?? null,
      created_at: tx.clock.now().toISOString(),
    };
    await tx.db.insertInto('team_feedback').values(row).execute();
    await audit(tx, {
      action: 'incident.feedback',
      subjectType: 'incident',
      subjectId: incidentId,
      after: { rating: row.rating, support_tickets: row.support_tickets, comment: row.comment !== null },
    });
  });
  return feedbackSummary(ctx, incidentId);
}
