/**
 * How a draft will read on each channel it goes out on: the text, its
 * length, SMS segments or a call's duration, lint, the email subject and a webhook's JSON; for
 * the words as stored, or as someone is typing them (nothing is saved).
 */

import { z } from 'zod';
import { channelKinds, checkLength, type TextVariant, variantUsed } from '../../domain/channel-limits.ts';
import { CrierError } from '../../domain/errors.ts';
import { pageLanguages } from '../../domain/languages.ts';
import { lintMessage } from '../../domain/lint.ts';
import { messageWords } from '../../domain/message-words.ts';
import { channelsForAudience, limitsOf, lintOptions } from '../../plan/policy.ts';
import { planLanguages } from '../../plan/schema.ts';
import { StoredLintProblem, translationsOf } from '../../store/json.ts';
import type { Ctx } from '../context.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { requireIncident } from '../incidents/queries.ts';
import { currentPlan } from '../plan/current.ts';
import { lintUpdate } from './gate.ts';
import { asIfPublishedNow } from './next-update.ts';
import { draftEvent } from './preview-payload.ts';
import { requireUpdate, variantsOf } from './rows.ts';

const ChannelPreview = z
  .object({
    channel: z.string(),
    type: z.string(),
    kind: z.enum(channelKinds),
    source: z
      .enum(['body', 'sms', 'voice', 'chat', 'social'] satisfies ('body' | TextVariant)[])
      .describe(
        "Which text it uses: the body, or the draft's variant for this kind (a call without a voice text says the SMS text).",
      ),
    text: z.string(),
    subject: z
      .string()
      .nullable()
      .describe(
        "An email's subject (the draft's variant, else the incident's name and status), or a push notification's title; `length` is then its body's.",
      ),
    length: z.number().describe('Characters, as the provider counts them.'),
    limit: z.number().nullable().describe('In `unit`: characters, SMS segments, or seconds for a call.'),
    unit: z.enum(['characters', 'segments', 'seconds']),
    segments: z.number().nullable(),
    encoding: z.string().nullable(),
    seconds: z
      .number()
      .nullable()
      .describe(
        'A call: about how long it takes to say the text once, in its language (docs/plan.md, Voice).',
      ),
    fits: z.boolean(),
    lint: z.array(StoredLintProblem),
    payload: z
      .string()
      .nullable()
      .describe(
        "A webhook's body as a receiver gets it (Statuspage's incident event), as JSON; null on other kinds.",
      ),
  })
  .meta({ id: 'ChannelPreview' });
type ChannelPreview = z.infer<typeof ChannelPreview>;

export const UpdatePreview = z
  .object({
    update_id: z.string(),
    state: z.string(),
    audience: z.string(),
    status: z.string(),
    language: z
      .enum(pageLanguages)
      .describe("The language shown: the one asked for, or the page's when the update has no words in it."),
    channels: z.array(ChannelPreview),
    lint: z
      .array(StoredLintProblem)
      .describe('What lint finds on every channel together, as submitting would: each says what to change.'),
  })
  .meta({ id: 'UpdatePreview' });
export type UpdatePreview = z.infer<typeof UpdatePreview>;

const PreviewLanguage = z
  .enum(pageLanguages)
  .optional()
  .describe("The language to preview, among the plan's; the page's by default.");

/** Which language to preview (`?language=fr`). */
export const PreviewQuery = z.strictObject({ language: PreviewLanguage });

/** Words being typed for a draft (in `language`), previewed without saving them. */
export const PreviewInput = z.strictObject({
  body: IncidentFields.body.optional(),
  language: PreviewLanguage,
});
export type PreviewInput = z.input<typeof PreviewInput>;

export async function previewUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: PreviewInput = {},
): Promise<UpdatePreview> {
  const input = PreviewInput.parse(raw);
  const row = await requireUpdate(ctx.db, incidentId, updateId);
  const plan = await currentPlan(ctx.db);
  const status = row.status;
  // Published: the words as they went out. Not yet: as they would go out now, the next update's time written in.
  const incident = await requireIncident(ctx.db, incidentId);
  const published = row.state === 'published';
  const [pageLanguage = 'en', ...others] = planLanguages(plan);
  if (input.language !== undefined && input.language !== pageLanguage && !others.includes(input.language)) {
    throw new CrierError('validation_failed', `The plan does not write in "${input.language}".`, [
      { path: 'language', message: `one of: ${[pageLanguage, ...others].join(', ')}` },
    ]);
  }
  // Another language's words where the update has them (or they are being typed); the page's otherwise.
  const stored = input.language === undefined ? undefined : translationsOf(row)[input.language];
  const language =
    input.language !== undefined && (stored !== undefined || (!published && input.body !== undefined))
      ? input.language
      : pageLanguage;
  const own = language === pageLanguage ? { body: row.body, variants: variantsOf(row) } : stored;
  const body = published ? (own?.body ?? row.body) : (input.body ?? own?.body ?? row.body);
  const ownVariants = own?.variants ?? {};
  const shown = published
    ? { body, variants: ownVariants }
    : asIfPublishedNow(ctx, plan, incident, status, row.audience, body, ownVariants, language);
  const at = published ? (row.published_at ?? row.updated_at) : ctx.clock.now().toISOString();
  const event = await draftEvent(ctx.db, ctx.config.publicUrl, row, shown.body, at);
  const variants = shown.variants;
  const external = row.audience !== 'internal';
  const title =
    language === pageLanguage ? event.title : `${incident.name}: ${messageWords(language).status[status]}`;
  const channels = channelsForAudience(plan, row.audience).map((c): ChannelPreview => {
    const used = variantUsed(variants, c.variant);
    const own = used !== null ? variants[used] : undefined;
    const text = own ?? shown.body;
    const check = checkLength(c.kind, text, limitsOf(plan), c.maxLength, c.counting, language);
    return {
      channel: c.name,
      type: c.type,
      kind: c.kind,
      source: own !== undefined && used !== null ? used : 'body',
      text,
      subject: c.kind === 'email' ? (variants.email_subject ?? title) : c.kind === 'push' ? title : null,
      length: check.length,
      limit: check.limit,
      unit: check.unit,
      segments: check.segments ?? null,
      encoding: check.encoding ?? null,
      seconds: check.seconds ?? null,
      fits: check.ok,
      lint:
        external && plan !== null && language === pageLanguage
          ? lintMessage(text, lintOptions(plan, status, c.kind, c.maxLength, c.counting))
          : [],
      payload: c.kind === 'webhook' ? event.json : null,
    };
  });
  // Lint reads the page's language (docs/plan.md, Lint).
  const lint =
    published || language !== pageLanguage
      ? []
      : await lintUpdate(ctx, plan, incidentId, status, row.audience, body, ownVariants);
  return {
    update_id: row.id,
    state: row.state,
    audience: row.audience,
    status: row.status,
    language,
    channels,
    lint,
  };
}
