/**
 * The communication report: how real incidents (never drills) measured over
 * a period — time to first notice and cadence adherence per severity and
 * per scenario over the last 30 and 90 days, channels by failure rate, and
 * the incidents each plan version ran.
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import {
  type ChannelCounts,
  type GroupTrend,
  groupTrends,
  type IncidentSummary,
  rankChannels,
  rankTemplates,
} from '../../domain/trends.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { type IncidentHistory, readHistory } from './history.ts';
import { scoredOf } from './scores.ts';
import { templateVotes } from './votes.ts';

const day = 86_400_000;
const windows = [30, 90] as const;

export const ReportQuery = z.strictObject({
  from: IncidentFields.instant
    .optional()
    .describe('Incidents declared from then; 90 days before `to` by default.'),
  to: IncidentFields.instant.optional().describe('Incidents declared until then; now by default.'),
});
export type ReportQuery = z.input<typeof ReportQuery>;

const Group = z.object({
  key: z.string().nullable(),
  incidents: z.number().int(),
  first_notice_median_ms: z.number().int().nullable(),
  first_notice_met: z.number().int(),
  first_notice_missed: z.number().int(),
  updates_due: z.number().int(),
  updates_on_time: z.number().int(),
  adherence: z.number().nullable(),
});

export const CommunicationReport = z
  .object({
    from: z.string(),
    to: z.string(),
    incidents: z.number().int().describe('Real incidents declared in the period (drills are left out).'),
    periods: z.array(
      z.object({
        days: z.number().int().describe('The last 30 or 90 days up to `to` (never before `from`).'),
        from: z.string(),
        by_severity: z.array(Group),
        by_scenario: z.array(Group),
      }),
    ),
    channels: z
      .array(
        z.object({
          channel: z.string(),
          total: z.number().int(),
          sent: z.number().int(),
          dead: z.number().int(),
          fallback: z.number().int(),
          dead_rate: z.number().nullable(),
        }),
      )
      .describe('Deliveries of the period’s incidents per kind of subscriber, the highest dead rate first.'),
    templates: z
      .array(
        z.object({
          scenario: z.string(),
          status: z.string(),
          helpful: z.number().int(),
          unhelpful: z.number().int(),
          votes: z.number().int(),
          helpful_share: z.number().nullable(),
        }),
      )
      .describe('Templates (a scenario’s words for one status) by customers’ votes, the most helpful first.'),
    plan_versions: z
      .array(z.object({ version: z.number().int().nullable(), incidents: z.array(z.string()) }))
      .describe('The incidents of the period by the plan version they ran under.'),
  })
  .meta({ id: 'CommunicationReport' });
export type CommunicationReport = z.infer<typeof CommunicationReport>;

/** The period asked for: `to` now by default, `from` 90 days before it; never backwards, never over a year and a half. */
export function periodOf(ctx: Ctx, query: z.output<typeof ReportQuery>): { from: string; to: string } {
  const to = query.to ?? ctx.clock.now().toISOString();
  const from = query.from ?? new Date(Date.parse(to) - 90 * day).toISOString();
  if (Date.parse(from) >= Date.parse(to) || Date.parse(to) - Date.parse(from) > 550 * day) {
    throw new CrierError('validation_failed', '`from` must come before `to`, at most 550 days apart.', [
      { path: 'from', message: `from ${from}, to ${to}` },
    ]);
  }
  return { from, to };
}

/** An incident summed up for the trends, in plan time. */
export function summaryOf(history: IncidentHistory, now: string): IncidentSummary {
  const { scores } = scoredOf(history, now);
  const speed = history.incident.drill_speed;
  const intervals: number[] = [];
  const byAudience = new Map<string, number[]>();
  for (const u of history.updates) {
    if (u.state !== 'published' || u.published_at === null || u.audience === 'internal') continue;
    byAudience.set(u.audience, [...(byAudience.get(u.audience) ?? []), Date.parse(u.published_at)]);
  }
  for (const times of byAudience.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i += 1) intervals.push(((times[i] ?? 0) - (times[i - 1] ?? 0)) * speed);
  }
  return {
    id: history.incident.id,
    severity: history.incident.severity,
    scenario: history.incident.scenario,
    declared_at: history.incident.declared_at,
    first_notice_ms: scores.first_external.took_ms,
    first_notice_met: scores.first_external.met,
    updates_due: scores.cadence.reduce((n, c) => n + c.updates_due, 0),
    updates_on_time: scores.cadence.reduce((n, c) => n + c.updates_on_time, 0),
    intervals_ms: intervals,
  };
}

/** Deliveries per kind of subscriber across histories, the pruned counts included. */
export function channelCounts(histories: readonly IncidentHistory[]): ChannelCounts[] {
  const by = new Map<string, ChannelCounts>();
  const add = (channel: string, state: string, n: number, fallback: boolean) => {
    const c = by.get(channel) ?? { channel, total: 0, sent: 0, dead: 0, fallback: 0 };
    c.total += n;
    if (state === 'sent') c.sent += n;
    if (state === 'dead') c.dead += n;
    if (state === 'sent' && fallback) c.fallback += n;
    by.set(channel, c);
  };
  for (const h of histories) {
    for (const d of h.deliveries) add(d.channel, d.state, 1, d.fallback);
    for (const p of h.pruned) add(p.channel, p.state, p.n, false);
  }
  return [...by.values()];
}

/** The real incidents declared in a period, with their histories, oldest first. */
export async function historiesBetween(ctx: Ctx, from: string, to: string): Promise<IncidentHistory[]> {
  const rows = await ctx.db
    .selectFrom('incidents')
    .selectAll()
    .where('drill', '=', 0)
    .where('declared_at', '>=', from)
    .where('declared_at', '<=', to)
    .orderBy('declared_at')
    .orderBy('id')
    .execute();
  const out: IncidentHistory[] = [];
  for (const row of rows) out.push(await readHistory(ctx.db, row));
  return out;
}

const groups = (list: IncidentSummary[], by: 'severity' | 'scenario'): GroupTrend[] =>
  groupTrends(list, (i) => i[by]);

export async function communicationReport(ctx: Ctx, raw: ReportQuery): Promise<CommunicationReport> {
  authorize(ctx, 'read');
  const { from, to } = periodOf(ctx, ReportQuery.parse(raw));
  const now = ctx.clock.now().toISOString();
  const histories = await historiesBetween(ctx, from, to);
  const summaries = histories.map((h) => summaryOf(h, now));
  const versions = new Map<number | null, string[]>();
  for (const h of histories) {
    const v = h.incident.plan_version;
    versions.set(v, [...(versions.get(v) ?? []), h.incident.id]);
  }
  return {
    from,
    to,
    incidents: histories.length,
    periods: windows.map((days) => {
      const start = new Date(Math.max(Date.parse(to) - days * day, Date.parse(from))).toISOString();
      const inside = summaries.filter((s) => s.declared_at >= start);
      return {
        days,
        from: start,
        by_severity: groups(inside, 'severity'),
        by_scenario: groups(inside, 'scenario'),
      };
    }),
    channels: rankChannels(channelCounts(histories)),
    templates: rankTemplates(await templateVotes(ctx.db, from, to)),
    plan_versions: [...versions.entries()]
      .sort(([a], [b]) => (a ?? 0) - (b ?? 0))
      .map(([version, incidents]) => ({ version, incidents })),
  };
}
