/**
 * A customer's vote on whether an update helped: from a subscriber's signed
 * link (one vote per subscriber per update) or from the status page (one
 * per address per update, and a limited number of new votes per address),
 * each changeable, with an optional comment that only the team reads.
 * Drills and internal updates never ask, so they take no votes.
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import {
  commentProblem,
  helpfulOf,
  normalComment,
  pageVotesPerAddress,
  pageVoteWindowMs,
} from '../../domain/feedback.ts';
import { newId } from '../../store/ids.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { addressHash, type FeedbackToken, feedbackKey, readFeedbackToken } from './links.ts';

const VoteInput = z.object({
  helpful: z
    .unknown()
    .transform((v, c) => {
      const helpful = helpfulOf(v);
      if (helpful === undefined) c.addIssue({ code: 'custom', message: 'yes or no' });
      return helpful ?? false;
    })
    .describe('Whether the update helped: `yes` or `no`.'),
  comment: z
    .string()
    .optional()
    .superRefine((text, c) => {
      const problem = text === undefined ? undefined : commentProblem(text);
      if (problem) c.addIssue({ code: 'custom', message: problem });
    })
    .describe('What the reader adds; read by the team only, never published.'),
});

/** The update a feedback link asks about, as its page shows it. */
export interface VotePrompt {
  readonly token: FeedbackToken;
  readonly incidentId: string;
  readonly incidentName: string;
  readonly status: string;
  readonly body: string;
  readonly publishedAt: string | null;
  /** The vote already cast through this link (or from this address), if any. */
  readonly helpful: boolean | null;
  readonly comment: string | null;
  /** The subscriber's language (BCP 47), when a subscriber's link asks and they chose one. */
  readonly locale: string | null;
}

/** Where a vote comes from: the request's address (for page votes and the audit log). */
export interface Voter {
  readonly address: string;
}

/** What a token asks about, or null when the link is not valid (unknown, not signed, or not asking). */
export async function votePrompt(ctx: Ctx, rawToken: string, voter: Voter): Promise<VotePrompt | null> {
  const key = await feedbackKey(ctx.db);
  const token = readFeedbackToken(key, rawToken);
  if (!token) return null;
  const update = await askingUpdate(ctx, token);
  if (!update) return null;
  const existing = await currentVote(ctx, token, addressHash(key, voter.address));
  return {
    token,
    incidentId: update.incident_id,
    incidentName: update.name,
    status: update.status,
    body: update.body,
    publishedAt: update.published_at,
    helpful: existing ? existing.helpful === 1 : null,
    comment: existing?.comment ?? null,
    locale: update.locale,
  };
}

/**
 * Records or changes a vote. Throws `not_found` for a link that is not valid, `validation_failed`
 * for a bad answer or comment (nothing stored), `rate_limited` when an address has cast its share.
 */
export async function castVote(
  ctx: Ctx,
  rawToken: string,
  raw: unknown,
  voter: Voter,
): Promise<{ helpful: boolean; changed: boolean }> {
  const input = VoteInput.parse(raw);
  const key = await feedbackKey(ctx.db);
  const token = readFeedbackToken(key, rawToken);
  const hash = addressHash(key, voter.address);
  return withTransaction(ctx, async (tx) => {
    const update = token && (await askingUpdate(tx, token));
    if (!token || !update) throw new CrierError('not_found', 'This feedback link is not valid.');
    const existing = await currentVote(tx, token, hash);
    const now = tx.clock.now();
    const at = now.toISOString();
    const comment = input.comment === undefined ? (existing?.comment ?? null) : normalComment(input.comment);
    if (existing) {
      await tx.db
        .updateTable('feedback_votes')
        .set({ helpful: input.helpful ? 1 : 0, comment, changed_at: at })
        .where('id', '=', existing.id)
        .execute();
    } else {
      if (token.kind === 'page') await checkAddressShare(tx, hash, now);
      await tx.db
        .insertInto('feedback_votes')
        .values({
          id: newId(),
          update_id: token.updateId,
          incident_id: update.incident_id,
          subscriber_id: token.kind === 'subscriber' ? token.subscriberId : null,
          address_hash: token.kind === 'page' ? hash : null,
          helpful: input.helpful ? 1 : 0,
          comment,
          created_at: at,
          changed_at: at,
        })
        // Two requests on one link at once: the second changes the vote the first made.
        .onConflict((oc) =>
          (token.kind === 'subscriber'
            ? oc.columns(['update_id', 'subscriber_id']).where('subscriber_id', 'is not', null)
            : oc.columns(['update_id', 'address_hash']).where('address_hash', 'is not', null)
          ).doUpdateSet({ helpful: input.helpful ? 1 : 0, comment, changed_at: at }),
        )
        .execute();
    }
    await audit(tx, {
      action: existing ? 'feedback.vote_change' : 'feedback.vote',
      subjectType: 'incident_update',
      subjectId: token.updateId,
      // Whether a comment came, not its words: the team reads those in the review.
      after: { helpful: input.helpful, from: token.kind, comment: comment !== null },
    });
    return { helpful: input.helpful, changed: existing !== undefined };
  });
}

/** A page vote's new row counts against its address; changing one's vote does not. */
async function checkAddressShare(tx: Ctx, hash: string, now: Date): Promise<void> {
  const since = new Date(now.getTime() - pageVoteWindowMs).toISOString();
  const row = await tx.db
    .selectFrom('feedback_votes')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('address_hash', '=', hash)
    .where('created_at', '>', since)
    .executeTakeFirst();
  if (Number(row?.n ?? 0) >= pageVotesPerAddress) {
    throw new CrierError('rate_limited', 'Too many votes from this address; try again later.');
  }
}

/**
 * The update a token asks about, when it asks: published, for a customer audience (the page's
 * own for a page vote), not a drill's; and for a subscriber's link, a subscriber that still exists.
 */
async function askingUpdate(ctx: Ctx, token: FeedbackToken) {
  const update = await ctx.db
    .selectFrom('incident_updates as u')
    .innerJoin('incidents as i', 'i.id', 'u.incident_id')
    .select(['u.incident_id', 'u.status', 'u.body', 'u.published_at', 'u.audience', 'i.name', 'i.drill'])
    .where('u.id', '=', token.updateId)
    .where('u.state', '=', 'published')
    .executeTakeFirst();
  if (!update || update.drill === 1 || update.audience === 'internal') return undefined;
  if (token.kind === 'page') return update.audience === 'public' ? { ...update, locale: null } : undefined;
  const subscriber = await ctx.db
    .selectFrom('subscribers')
    .select(['id', 'locale'])
    .where('id', '=', token.subscriberId)
    .executeTakeFirst();
  return subscriber ? { ...update, locale: subscriber.locale } : undefined;
}

function currentVote(ctx: Ctx, token: FeedbackToken, hash: string) {
  const q = ctx.db
    .selectFrom('feedback_votes')
    .select(['id', 'helpful', 'comment'])
    .where('update_id', '=', token.updateId);
  return (
    token.kind === 'subscriber'
      ? q.where('subscriber_id', '=', token.subscriberId)
      : q.where('address_hash', '=', hash)
  ).executeTakeFirst();
}
