/** Approving a draft pending approval; published once the plan's approvals are complete, unless asked not to. */
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { decide } from './decide.ts';
import type { DraftView } from './views.ts';

export const ApproveInput = z.strictObject({
  comment: z.string().trim().min(1).max(2000).optional(),
  /** Publish as soon as the approvals are complete. Default true. */
  publish: z.boolean().default(true),
  reason: z
    .string()
    .trim()
    .min(1)
    .max(2000)
    .optional()
    .describe(
      "Why an admin approves as the last resort, when everyone the plan lets approve wrote or changed the draft; required then, and kept in the incident's record.",
    ),
});
export type ApproveInput = z.input<typeof ApproveInput>;

export async function approveUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: ApproveInput = {},
): Promise<DraftView> {
  const input = ApproveInput.parse(raw);
  return decide(ctx, incidentId, updateId, {
    decision: 'approve',
    comment: input.comment ?? null,
    publish: input.publish,
    reason: input.reason ?? null,
  });
}
