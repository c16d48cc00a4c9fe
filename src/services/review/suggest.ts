/**
 * Suggestions for the plan, each with the change it proposes as a diff of
 * crier.yaml and the whole proposed plan, which an admin applies as any
 * plan (`crier plan suggest --apply ID`, or `PUT /plan` with its `source`):
 *
 * - a severity whose cadence was missed in more than half of its last five
 *   incidents: its `external_cadence` lengthened to the pace its updates
 *   actually came at;
 * - a channel whose dead rate passes 2%: a fallback that serves the same
 *   subscribers, or, without one in the plan, twice the attempts;
 * - a template rated unhelpful by 30% or more of at least 20 votes: marked
 *   in the plan for rewriting (words are for people to write).
 */
import { z } from 'zod';
import { moduleOf } from '../../channels/registry.ts';
import { formatDuration, parseDuration } from '../../domain/duration.ts';
import {
  type CadenceMisses,
  type ChannelTrend,
  channelsOverDeadRate,
  proposedCadenceMs,
  severitiesMissingCadence,
  type TemplateTrend,
  unhelpfulTemplates,
} from '../../domain/trends.ts';
import { editPlanSource, type PlanEdit, planPatch } from '../../plan/edit.ts';
import { Plan } from '../../plan/schema.ts';
import { planJsonOf } from '../../store/json.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import type { IncidentHistory } from './history.ts';
import { channelCounts, historiesBetween, periodOf, ReportQuery, summaryOf } from './trends.ts';
import { templateVotes } from './votes.ts';

export const Suggestion = z
  .object({
    id: z.string().describe('Stable while the evidence holds: what it is about, e.g. `cadence:SEV1`.'),
    kind: z.enum(['cadence_missed', 'channel_dead_rate', 'template_unhelpful']),
    reason: z.string(),
    evidence: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string()), z.null()])),
    change: z.string().describe('The change proposed, in words.'),
    diff: z.string().describe('The change as a unified diff of crier.yaml.'),
    source: z.string().describe('The whole plan with the change made: what `PUT /plan` takes to apply it.'),
    based_on_version: z.number().int(),
  })
  .meta({ id: 'PlanSuggestion' });
export type Suggestion = z.infer<typeof Suggestion>;

type Draft = Omit<Suggestion, 'diff' | 'source' | 'based_on_version'> & { edits: PlanEdit[] };

function cadenceSuggestion(plan: Plan, m: CadenceMisses): Draft | null {
  const current = parseDuration(plan.severities[m.severity]?.external_cadence ?? '');
  if (current === null) return null;
  const proposed = formatDuration(proposedCadenceMs(current, m.median_interval_ms));
  return {
    id: `cadence:${m.severity}`,
    kind: 'cadence_missed',
    reason: `${m.severity}'s external cadence was missed in ${m.missed} of its last ${m.incidents.length} incidents.`,
    evidence: {
      incidents: m.incidents,
      missed: m.missed,
      external_cadence: formatDuration(current),
      median_interval: m.median_interval_ms === null ? null : formatDuration(m.median_interval_ms),
    },
    change: `Set severities.${m.severity}.external_cadence from ${formatDuration(current)} to ${proposed}.`,
    edits: [{ kind: 'set', path: ['severities', m.severity, 'external_cadence'], value: proposed }],
  };
}

/** The plan channel that carried most of a kind's dead deliveries (not a fallback, which is not what to change). */
function carrierOf(plan: Plan, histories: readonly IncidentHistory[], kind: string): string | null {
  const counts = new Map<string, number>();
  for (const h of histories) {
    for (const d of h.deliveries) {
      if (d.channel !== kind || d.via === null || !(d.via in plan.channels) || d.fallback) continue;
      counts.set(d.via, (counts.get(d.via) ?? 0) + (d.state === 'dead' ? 2 : 1));
    }
  }
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  return best?.[0] ?? (kind in plan.channels ? kind : null);
}

function channelSuggestion(plan: Plan, histories: readonly IncidentHistory[], c: ChannelTrend): Draft | null {
  const name = carrierOf(plan, histories, c.channel);
  const settings = name === null ? undefined : plan.channels[name];
  if (name === null || settings === undefined) return null;
  const serves = (type: string) => {
    const reach = moduleOf(type)?.reach;
    return reach !== undefined && 'subscribers' in reach && reach.subscribers.some((k) => k === c.channel);
  };
  const fallback =
    settings.fallback === undefined
      ? Object.entries(plan.channels).find(([other, s]) => other !== name && serves(s.type))?.[0]
      : undefined;
  const attempts = settings.max_attempts ?? moduleOf(settings.type)?.lane(settings as never).maxAttempts ?? 5;
  const more = Math.min(50, attempts * 2);
  const edits: PlanEdit[] =
    fallback !== undefined
      ? [{ kind: 'set', path: ['channels', name, 'fallback'], value: fallback }]
      : [{ kind: 'set', path: ['channels', name, 'max_attempts'], value: more }];
  if (fallback === undefined && more === attempts) return null;
  return {
    id: `channel:${c.channel}`,
    kind: 'channel_dead_rate',
    reason: `${c.dead} of ${c.total} ${c.channel} deliveries died (${Math.round((c.dead_rate ?? 0) * 1000) / 10}%), over the 2% the plan should tolerate.`,
    evidence: { channel: c.channel, carrier: name, total: c.total, dead: c.dead, dead_rate: c.dead_rate },
    change:
      fallback !== undefined
        ? `Give channels.${name} the fallback ${fallback}, which serves ${c.channel} subscribers too.`
        : `Raise channels.${name}.max_attempts from ${attempts} to ${more}.`,
    edits,
  };
}

function templateSuggestion(plan: Plan, t: TemplateTrend): Draft | null {
  if (plan.scenarios[t.scenario]?.templates[t.status as never] === undefined) return null;
  const share = Math.round((t.unhelpful / t.votes) * 100);
  return {
    id: `template:${t.scenario}:${t.status}`,
    kind: 'template_unhelpful',
    reason: `${share}% of ${t.votes} votes found the ${t.status} update of ${t.scenario} unhelpful.`,
    evidence: { scenario: t.scenario, status: t.status, votes: t.votes, unhelpful: t.unhelpful },
    change: `Mark scenarios.${t.scenario}.templates.${t.status} for rewriting, with what the votes said.`,
    edits: [
      {
        kind: 'comment',
        path: ['scenarios', t.scenario, 'templates', t.status],
        text: `Rewrite: ${share}% of ${t.votes} votes found this unhelpful (crier plan suggest).`,
      },
    ],
  };
}

export async function suggestPlanChanges(ctx: Ctx, raw: ReportQuery): Promise<Suggestion[]> {
  // The proposals carry the plan's whole source, which only those who may apply a plan read.
  authorize(ctx, 'plan.apply');
  const { from, to } = periodOf(ctx, ReportQuery.parse(raw));
  const latest = await ctx.db
    .selectFrom('plan_versions')
    .select(['version', 'source', 'plan'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!latest) return [];
  const plan = Plan.parse(planJsonOf(latest));
  const now = ctx.clock.now().toISOString();
  const histories = await historiesBetween(ctx, from, to);
  const drafts: Draft[] = [
    ...unhelpfulTemplates(await templateVotes(ctx.db, from, to)).map((t) => templateSuggestion(plan, t)),
    ...severitiesMissingCadence(histories.map((h) => summaryOf(h, now))).map((m) =>
      cadenceSuggestion(plan, m),
    ),
    ...channelsOverDeadRate(channelCounts(histories)).map((c) => channelSuggestion(plan, histories, c)),
  ].filter((d): d is Draft => d !== null);
  return drafts.map(({ edits, ...d }) => {
    const source = editPlanSource(latest.source, edits);
    return { ...d, diff: planPatch(latest.source, source), source, based_on_version: latest.version };
  });
}
