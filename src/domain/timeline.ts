/**
 * The two series the communication review draws: deliveries sent over time,
 * counted in buckets, and each external audience's cadence timeline — the
 * deadline each publication answered, whether it came on time, and a
 * deadline still waiting. Pure: instants in, rows out.
 */

export interface Bucket {
  from: string;
  sent: number;
}

/** Bucket widths to choose from: the narrowest that keeps the chart to `maxBuckets` bars. */
const widths = [1, 10, 60, 300, 900, 3_600, 21_600, 86_400].map((s) => s * 1000);

/** Sent deliveries counted per bucket, from the bucket holding `from` to the one holding the last sent. */
export function deliveriesOverTime(from: string, sentAts: readonly string[], maxBuckets = 48): Bucket[] {
  if (sentAts.length === 0) return [];
  const times = sentAts.map((t) => Date.parse(t));
  const start = Math.min(Date.parse(from), ...times);
  const end = Math.max(...times);
  const width =
    widths.find((w) => Math.floor(end / w) - Math.floor(start / w) < maxBuckets) ??
    widths.at(-1) ??
    86_400_000;
  const first = Math.floor(start / width) * width;
  const counts = new Array<number>(Math.floor((end - first) / width) + 1).fill(0);
  for (const t of times) {
    const i = Math.floor((t - first) / width);
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return counts.map((sent, i) => ({ from: new Date(first + i * width).toISOString(), sent }));
}

export interface Publication {
  audience: string;
  published_at: string;
  /** The deadline this publication set for its audience's next update. */
  next_update_at: string | null;
}

export interface CadencePoint {
  audience: string;
  /** The deadline in force when it was published (or still waiting); null when none was set. */
  deadline: string | null;
  published_at: string | null;
  /** Published by the deadline; null when there was none, or it is still ahead. */
  on_time: boolean | null;
}

/**
 * Each audience's publications against the deadlines they answered: the
 * first due `firstDue` (the first-notice target), each next one set by the
 * publication before it. While the incident is open a deadline still
 * waiting is a point without a publication, late once `now` has passed it.
 */
export function cadenceTimeline(
  audiences: readonly string[],
  publications: readonly Publication[],
  firstDue: string | null,
  open: boolean,
  now: string,
): CadencePoint[] {
  const points: CadencePoint[] = [];
  for (const audience of [...audiences].sort()) {
    let due = firstDue;
    const mine = publications
      .filter((p) => p.audience === audience)
      .sort((a, b) => Date.parse(a.published_at) - Date.parse(b.published_at));
    for (const p of mine) {
      points.push({
        audience,
        deadline: due,
        published_at: p.published_at,
        on_time: due === null ? null : Date.parse(p.published_at) <= Date.parse(due),
      });
      due = p.next_update_at;
    }
    if (open && due !== null) {
      points.push({
        audience,
        deadline: due,
        published_at: null,
        on_time: Date.parse(now) > Date.parse(due) ? false : null,
      });
    }
  }
  return points;
}
