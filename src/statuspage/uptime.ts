/**
 * The 90-day uptime bars. Pure: history and time come in, numbers go out.
 *
 * Each day (UTC) is weighed by how long each component spent in each status:
 * a major outage counts fully as down time, a partial outage counts for 30 %,
 * degraded performance and maintenance do not count (the component answered,
 * or the downtime was announced). Uptime = 1 − weighted down time ÷ observed
 * time. Days before the component existed have no data. docs/status-page.md
 * states the same formula for readers.
 */
import { type ComponentStatus, worseStatus } from '../domain/components.ts';
import type { ComponentStatusHistoryRow } from '../store/schema.ts';

/** One status change of a component, as `component_status_history` keeps it. */
export type StatusPoint = Pick<ComponentStatusHistoryRow, 'status' | 'at'>;

export interface UptimeDay {
  /** YYYY-MM-DD (UTC). */
  date: string;
  /** 0..1, or null when the component did not exist yet. */
  uptime: number | null;
  /** The worst status seen that day. */
  worst: ComponentStatus;
  /** Seconds spent in major and partial outage. */
  majorSeconds: number;
  partialSeconds: number;
}

const downWeight: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 0,
  degraded_performance: 0,
  partial_outage: 0.3,
  major_outage: 1,
};

const DAY = 86_400_000;

/**
 * Daily uptime for the `days` days ending with today (UTC), oldest first.
 * `initial` is the status when the window opened; `points` are the changes
 * inside it, oldest first; `since` is when the component came to be.
 */
export function dailyUptime(
  initial: ComponentStatus | undefined,
  points: readonly StatusPoint[],
  since: string,
  now: Date,
  days: number,
): UptimeDay[] {
  const todayStart = Math.floor(now.getTime() / DAY) * DAY;
  const first = todayStart - (days - 1) * DAY;
  const born = Date.parse(since);
  const out: UptimeDay[] = [];
  let status: ComponentStatus = initial ?? 'operational';
  let i = 0;
  for (let d = 0; d < days; d++) {
    const dayStart = first + d * DAY;
    const dayEnd = Math.min(dayStart + DAY, now.getTime());
    const date = new Date(dayStart).toISOString().slice(0, 10);
    // Changes before this day (or at its first instant) only set the status it starts in.
    for (let p = points[i]; p !== undefined && Date.parse(p.at) <= dayStart; p = points[++i])
      status = p.status;
    const from = Math.max(dayStart, born);
    if (from >= dayEnd) {
      out.push({ date, uptime: null, worst: 'operational', majorSeconds: 0, partialSeconds: 0 });
      continue;
    }
    let worst = status;
    let cursor = from;
    let down = 0;
    let major = 0;
    let partial = 0;
    const spend = (until: number) => {
      const ms = Math.max(0, until - cursor);
      down += ms * downWeight[status];
      if (status === 'major_outage') major += ms;
      if (status === 'partial_outage') partial += ms;
      cursor = Math.max(cursor, until);
    };
    for (let p = points[i]; p !== undefined && Date.parse(p.at) < dayEnd; p = points[++i]) {
      spend(Date.parse(p.at));
      status = p.status;
      worst = worseStatus(worst, status);
    }
    spend(dayEnd);
    const observed = dayEnd - from;
    out.push({
      date,
      uptime: observed > 0 ? 1 - down / observed : 1,
      worst,
      majorSeconds: Math.round(major / 1000),
      partialSeconds: Math.round(partial / 1000),
    });
  }
  return out;
}

/** The uptime over the whole window: the mean of the days that have data. */
export function windowUptime(days: readonly UptimeDay[]): number | null {
  const known = days.flatMap((d) => (d.uptime === null ? [] : [d.uptime]));
  if (known.length === 0) return null;
  return known.reduce((sum, uptime) => sum + uptime, 0) / known.length;
}

/** 99.95 → "99.95%"; never rounds a real outage up to 100. */
export function formatPercent(ratio: number): string {
  const pct = Math.floor(ratio * 10_000) / 100;
  return `${pct.toFixed(2)}%`;
}
