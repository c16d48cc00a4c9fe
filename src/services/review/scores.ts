/**
 * Scores: how an incident's (or a drill's) communication measured against
 * the plan's targets, and the trend of those scores across drills.
 */
import { z } from 'zod';
import { scoreIncident } from '../../domain/scores.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';
import { type IncidentHistory, readHistory, targetsOf, updateFacts } from './history.ts';

const Ms = z.number().int().nullable();

const Reach = z.object({
  update_id: z.string(),
  subscribers: z.number().int(),
  reached: z.number().int(),
  p50_ms: Ms,
  p95_ms: Ms,
  p100_ms: Ms,
});

const Scores = z
  .object({
    speed: z
      .number()
      .int()
      .describe('The drill’s speed (1 for a real incident); spans below are multiplied back by it.'),
    detection_to_declared_ms: Ms.describe(
      'From detection (the first alert, for an incident from ingest) to declaration.',
    ),
    declared_to_first_internal_ms: Ms,
    first_external: z.object({
      from: z.enum(['detected', 'declared']),
      took_ms: Ms,
      target_ms: Ms.describe('The severity’s `first_external_within`.'),
      met: z.boolean().nullable(),
    }),
    approval: z.object({
      updates: z.number().int().describe('Updates that waited for an approval (or its timeout).'),
      max_wait_ms: Ms,
      total_wait_ms: z.number().int(),
      published_unapproved: z.number().int(),
    }),
    cadence: z.array(
      z.object({
        audience: z.string(),
        updates_due: z.number().int(),
        updates_on_time: z.number().int(),
        ratio: z.number().nullable(),
      }),
    ),
    longest_silence_ms: z.number().int(),
    lint_overrides: z.number().int(),
    fallbacks: z.number().int().describe('Deliveries a fallback channel carried.'),
    first_notice_reach: Reach.nullable().describe(
      'How long after its publication the first external notice had reached half, 95% and all of its subscribers (real time).',
    ),
  })
  .meta({ id: 'Scores' });

export const IncidentScores = z
  .object({
    incident_id: z.string(),
    name: z.string(),
    drill: z.boolean(),
    scenario: z.string().nullable(),
    severity: z.string().nullable(),
    declared_at: z.string(),
    resolved_at: z.string().nullable(),
    plan_version: z.number().int().nullable().describe('The plan version it ran under.'),
    scores: Scores,
  })
  .meta({ id: 'IncidentScores' });
export type IncidentScores = z.infer<typeof IncidentScores>;

function scoresOf(history: IncidentHistory, now: string): z.infer<typeof Scores> {
  const cadence = history.deadlines.map((d) => ({
    audience: d.audience,
    updates_due: d.updates_due,
    updates_on_time: d.updates_on_time,
  }));
  return scoreIncident(
    history.incident,
    updateFacts(history),
    cadence,
    history.deliveries,
    targetsOf(history),
    now,
  );
}

export function scoredOf(history: IncidentHistory, now: string): IncidentScores {
  const i = history.incident;
  return {
    incident_id: i.id,
    name: i.name,
    drill: i.drill === 1,
    scenario: i.scenario,
    severity: i.severity,
    declared_at: i.declared_at,
    resolved_at: i.resolved_at,
    plan_version: i.plan_version,
    scores: scoresOf(history, now),
  };
}

export async function incidentScores(ctx: Ctx, incidentId: string): Promise<IncidentScores> {
  authorize(ctx, 'read');
  const row = await requireIncident(ctx.db, incidentId);
  return scoredOf(await readHistory(ctx.db, row), ctx.clock.now().toISOString());
}

export const DrillTrendQuery = z.strictObject({
  scenario: z.string().min(1).max(100).optional().describe('Only drills of this scenario.'),
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('The latest this many drills.'),
});
export type DrillTrendQuery = z.input<typeof DrillTrendQuery>;

/** The scores of the latest drills, oldest first, so a trend reads left to right. */
export async function drillTrend(ctx: Ctx, raw: DrillTrendQuery): Promise<IncidentScores[]> {
  authorize(ctx, 'read');
  const query = DrillTrendQuery.parse(raw);
  let q = ctx.db.selectFrom('incidents').selectAll().where('drill', '=', 1);
  if (query.scenario !== undefined) q = q.where('scenario', '=', query.scenario);
  const rows = await q.orderBy('declared_at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  const now = ctx.clock.now().toISOString();
  const out: IncidentScores[] = [];
  for (const row of rows.reverse()) out.push(scoredOf(await readHistory(ctx.db, row), now));
  return out;
}
