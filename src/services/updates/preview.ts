/** How a draft will read on each channel it goes out on: the text, its length or SMS segments, and lint. */

import { z } from 'zod';
import { channelKinds, checkLength, type TextVariant } from '../../domain/channel-limits.ts';
import { lintMessage } from '../../domain/lint.ts';
import { channelsForAudience, limitsOf, lintOptions } from '../../plan/policy.ts';
import { StoredLintProblem } from '../../store/json.ts';
import type { Ctx } from '../context.ts';
import { requireIncident } from '../incidents/queries.ts';
import { currentPlan } from '../plan/current.ts';
import { asIfPublishedNow } from './next-update.ts';
import { requireUpdate, variantsOf } from './rows.ts';

const ChannelPreview = z
  .object({
    channel: z.string(),
    type: z.string(),
    kind: z.enum(channelKinds),
    source: z
      .enum(['body', 'sms', 'chat', 'social'] satisfies ('body' | TextVariant)[])
      .describe("Which text it uses: the body, or the draft's variant for this kind."),
    text: z.string(),
    subject: z.string().nullable(),
    length: z.number(),
    limit: z.number().nullable(),
    unit: z.enum(['characters', 'segments']),
    segments: z.number().nullable(),
    encoding: z.string().nullable(),
    fits: z.boolean(),
    lint: z.array(StoredLintProblem),
  })
  .meta({ id: 'ChannelPreview' });
type ChannelPreview = z.infer<typeof ChannelPreview>;

export const UpdatePreview = z
  .object({
    update_id: z.string(),
    state: z.string(),
    audience: z.string(),
    status: z.string(),
    channels: z.array(ChannelPreview),
  })
  .meta({ id: 'UpdatePreview' });
export type UpdatePreview = z.infer<typeof UpdatePreview>;

export async function previewUpdate(
  ctx: Pick<Ctx, 'db' | 'config' | 'clock'>,
  incidentId: string,
  updateId: string,
): Promise<UpdatePreview> {
  const row = await requireUpdate(ctx.db, incidentId, updateId);
  const plan = await currentPlan(ctx.db);
  const status = row.status;
  // Published: the words as they went out. Not yet: as they would go out now, the next update's time written in.
  const incident = await requireIncident(ctx.db, incidentId);
  const shown =
    row.state === 'published'
      ? { body: row.body, variants: variantsOf(row) }
      : asIfPublishedNow(ctx, plan, incident, status, row.audience, row.body, variantsOf(row));
  const variants = shown.variants;
  const external = row.audience !== 'internal';
  const channels = channelsForAudience(plan, row.audience).map((c): ChannelPreview => {
    const own = c.variant !== null ? variants[c.variant] : undefined;
    const text = own ?? shown.body;
    const check = checkLength(c.kind, text, limitsOf(plan), c.maxLength);
    return {
      channel: c.name,
      type: c.type,
      kind: c.kind,
      source: own !== undefined && c.variant !== null ? c.variant : 'body',
      text,
      subject: c.kind === 'email' ? (variants.email_subject ?? null) : null,
      length: check.length,
      limit: check.limit,
      unit: check.unit,
      segments: check.segments ?? null,
      encoding: check.encoding ?? null,
      fits: check.ok,
      lint:
        external && plan !== null ? lintMessage(text, lintOptions(plan, status, c.kind, c.maxLength)) : [],
    };
  });
  return { update_id: row.id, state: row.state, audience: row.audience, status: row.status, channels };
}
