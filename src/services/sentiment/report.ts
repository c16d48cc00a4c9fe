/**
 * An incident's sentiment, as the API, the CLI and the console read it:
 * how many mentions, of which label, and their mean score, per time bucket
 * (by when posted) and in total, per network too (docs/sentiment.md).
 */
import { z } from 'zod';
import { sentimentLabels } from '../../domain/sentiment.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';

const bucketSizes = { '1m': 60, '5m': 300, '10m': 600, '1h': 3600 } as const;

export const SentimentQuery = z.strictObject({
  bucket: z
    .enum(Object.keys(bucketSizes) as [keyof typeof bucketSizes, ...(keyof typeof bucketSizes)[]])
    .default('10m')
    .describe('The width of each time bucket.'),
});
export type SentimentQuery = z.input<typeof SentimentQuery>;

const Counts = z.object({
  mentions: z.number().int(),
  negative: z.number().int(),
  neutral: z.number().int(),
  positive: z.number().int(),
  average_score: z.number().nullable().describe('The mean score from -1 to 1; null without mentions.'),
});
type Counts = z.infer<typeof Counts>;

export const IncidentSentiment = z
  .object({
    incident_id: z.string(),
    bucket_seconds: z.number().int(),
    totals: Counts,
    networks: z.record(z.string(), Counts).describe('By network: mastodon, bluesky, x.'),
    buckets: z
      .array(Counts.extend({ start: z.string().describe('The bucket’s start (ISO 8601, UTC).') }))
      .describe('Oldest first; only buckets with mentions.'),
  })
  .meta({ id: 'IncidentSentiment' });
export type IncidentSentiment = z.infer<typeof IncidentSentiment>;

function counted(rows: readonly { label: string; score: number }[]): Counts {
  const counts: Counts = { mentions: rows.length, negative: 0, neutral: 0, positive: 0, average_score: null };
  for (const label of sentimentLabels) counts[label] = rows.filter((r) => r.label === label).length;
  if (rows.length > 0)
    counts.average_score = Math.round((rows.reduce((s, r) => s + r.score, 0) / rows.length) * 1000) / 1000;
  return counts;
}

export async function incidentSentiment(
  ctx: Ctx,
  incidentId: string,
  raw: SentimentQuery = {},
): Promise<IncidentSentiment> {
  authorize(ctx, 'read');
  const query = SentimentQuery.parse(raw);
  await requireIncident(ctx.db, incidentId);
  const rows = await ctx.db
    .selectFrom('mentions')
    .select(['network', 'posted_at', 'label', 'score'])
    .where('incident_id', '=', incidentId)
    .orderBy('posted_at')
    .execute();
  const width = bucketSizes[query.bucket] * 1000;
  const buckets = new Map<number, typeof rows>();
  const networks = new Map<string, typeof rows>();
  for (const row of rows) {
    const start = Math.floor(Date.parse(row.posted_at) / width) * width;
    buckets.set(start, [...(buckets.get(start) ?? []), row]);
    networks.set(row.network, [...(networks.get(row.network) ?? []), row]);
  }
  return {
    incident_id: incidentId,
    bucket_seconds: bucketSizes[query.bucket],
    totals: counted(rows),
    networks: Object.fromEntries([...networks].map(([n, r]) => [n, counted(r)])),
    buckets: [...buckets].map(([start, r]) => ({ start: new Date(start).toISOString(), ...counted(r) })),
  };
}
