/** Rejecting a draft pending approval, with a comment its author reads. */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { decide } from './decide.ts';
import type { DraftView } from './views.ts';

export const RejectInput = z.strictObject({
  comment: z.string().trim().min(1).max(2000).describe('What to change; the author reads it.'),
});
export type RejectInput = z.input<typeof RejectInput>;

export async function rejectUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: RejectInput,
): Promise<DraftView> {
  const input = RejectInput.parse(raw);
  return decide(ctx, incidentId, updateId, {
    decision: 'reject',
    comment: input.comment,
    publish: false,
    reason: null,
  });
}
