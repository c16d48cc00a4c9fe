/**
 * Trends across incidents and the rules that turn them into suggestions for
 * the plan. Pure: each incident comes in already summarised (its severity,
 * scenario, first-notice time and cadence count), each channel and template
 * as counts.
 */

export interface IncidentSummary {
  id: string;
  severity: string | null;
  scenario: string | null;
  declared_at: string;
  /** Detection (or declaration) to the first external notice, in plan time; null before one. */
  first_notice_ms: number | null;
  first_notice_met: boolean | null;
  updates_due: number;
  updates_on_time: number;
  /** The gaps between its consecutive external publications, per audience, in plan time. */
  intervals_ms: number[];
}

export interface GroupTrend {
  key: string | null;
  incidents: number;
  first_notice_median_ms: number | null;
  first_notice_met: number;
  first_notice_missed: number;
  updates_due: number;
  updates_on_time: number;
  adherence: number | null;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const upper = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? upper : Math.round(((sorted[mid - 1] ?? 0) + upper) / 2);
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
}

/** Incidents grouped by `keyOf` (severity or scenario), groups in key order, no key last. */
export function groupTrends(
  incidents: readonly IncidentSummary[],
  keyOf: (i: IncidentSummary) => string | null,
): GroupTrend[] {
  const groups = new Map<string | null, IncidentSummary[]>();
  for (const i of incidents) groups.set(keyOf(i), [...(groups.get(keyOf(i)) ?? []), i]);
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b)))
    .map(([key, list]) => {
      const due = list.reduce((n, i) => n + i.updates_due, 0);
      const onTime = list.reduce((n, i) => n + i.updates_on_time, 0);
      return {
        key,
        incidents: list.length,
        first_notice_median_ms: median(
          list.flatMap((i) => (i.first_notice_ms === null ? [] : [i.first_notice_ms])),
        ),
        first_notice_met: list.filter((i) => i.first_notice_met === true).length,
        first_notice_missed: list.filter((i) => i.first_notice_met === false).length,
        updates_due: due,
        updates_on_time: onTime,
        adherence: ratio(onTime, due),
      };
    });
}

export interface ChannelCounts {
  channel: string;
  total: number;
  sent: number;
  dead: number;
  fallback: number;
}

export interface ChannelTrend extends ChannelCounts {
  dead_rate: number | null;
}

/** Channels by failure rate, the worst first (then by name). */
export function rankChannels(counts: readonly ChannelCounts[]): ChannelTrend[] {
  return counts
    .map((c) => ({ ...c, dead_rate: ratio(c.dead, c.total) }))
    .sort((a, b) => (b.dead_rate ?? -1) - (a.dead_rate ?? -1) || a.channel.localeCompare(b.channel));
}

export interface TemplateVotes {
  scenario: string;
  status: string;
  helpful: number;
  unhelpful: number;
}

export interface TemplateTrend extends TemplateVotes {
  votes: number;
  helpful_share: number | null;
}

/** Templates by helpfulness, the most helpful first; those without votes last. */
export function rankTemplates(votes: readonly TemplateVotes[]): TemplateTrend[] {
  return votes
    .map((v) => ({
      ...v,
      votes: v.helpful + v.unhelpful,
      helpful_share: ratio(v.helpful, v.helpful + v.unhelpful),
    }))
    .sort(
      (a, b) =>
        (b.helpful_share ?? -1) - (a.helpful_share ?? -1) ||
        b.votes - a.votes ||
        `${a.scenario}/${a.status}`.localeCompare(`${b.scenario}/${b.status}`),
    );
}

/** The thresholds of the suggestions (docs/review.md). */
const suggestionRules = {
  unhelpfulShare: 0.3,
  minVotes: 20,
  lastIncidents: 5,
  deadRate: 0.02,
} as const;

/** A template rated unhelpful by 30% or more of at least 20 votes. */
export function unhelpfulTemplates(votes: readonly TemplateVotes[]): TemplateTrend[] {
  return rankTemplates(votes).filter(
    (t) => t.votes >= suggestionRules.minVotes && t.unhelpful / t.votes >= suggestionRules.unhelpfulShare,
  );
}

export interface CadenceMisses {
  severity: string;
  /** Its last incidents (at most five), newest first. */
  incidents: string[];
  missed: number;
  /** The median gap between external updates in those incidents, in plan time. */
  median_interval_ms: number | null;
}

/**
 * Severities whose cadence was missed (an update came after its deadline)
 * in more than half of their last five incidents. A severity with fewer
 * than five is judged on those it has, once it has three.
 */
export function severitiesMissingCadence(incidents: readonly IncidentSummary[]): CadenceMisses[] {
  const bySeverity = new Map<string, IncidentSummary[]>();
  for (const i of incidents) {
    if (i.severity === null) continue;
    bySeverity.set(i.severity, [...(bySeverity.get(i.severity) ?? []), i]);
  }
  const out: CadenceMisses[] = [];
  for (const [severity, list] of [...bySeverity.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const last = [...list]
      .sort((a, b) => b.declared_at.localeCompare(a.declared_at) || b.id.localeCompare(a.id))
      .slice(0, suggestionRules.lastIncidents);
    const missed = last.filter((i) => i.updates_on_time < i.updates_due).length;
    if (last.length < 3 || missed * 2 <= last.length) continue;
    out.push({
      severity,
      incidents: last.map((i) => i.id),
      missed,
      median_interval_ms: median(last.flatMap((i) => i.intervals_ms)),
    });
  }
  return out;
}

/** Channels whose dead rate passes 2%. */
export function channelsOverDeadRate(channels: readonly ChannelCounts[]): ChannelTrend[] {
  return rankChannels(channels).filter((c) => c.total > 0 && c.dead / c.total > suggestionRules.deadRate);
}

const fiveMinutes = 5 * 60_000;

/**
 * The cadence to propose for a severity that keeps missing its own: the
 * pace its updates actually came at (the median gap), rounded up to five
 * minutes, and at least half as long again as today's.
 */
export function proposedCadenceMs(currentMs: number, medianIntervalMs: number | null): number {
  const floor = Math.ceil((currentMs * 1.5) / fiveMinutes) * fiveMinutes;
  const observed = medianIntervalMs === null ? 0 : Math.ceil(medianIntervalMs / fiveMinutes) * fiveMinutes;
  return Math.max(floor, observed);
}
