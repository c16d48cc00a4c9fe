/**
 * An incident's communication scores against the plan's targets, computed
 * from what was stored while it ran: its key instants, its updates (with
 * their approvals, lint overrides and the deadlines their publication
 * set), each external audience's cadence count and the deliveries of its
 * updates. Pure: the caller reads the facts and passes `now`.
 *
 * A drill runs the plan's durations divided by its speed, so every span
 * people and timers made is multiplied back into plan time. The time to
 * reach subscribers is not: the network was not sped up.
 */

import { formatDuration } from './duration.ts';

export interface IncidentFacts {
  detected_at: string | null;
  declared_at: string;
  first_internal_at: string | null;
  first_external_at: string | null;
  resolved_at: string | null;
  /** 1 for a real incident. */
  drill_speed: number;
}

export interface UpdateFacts {
  id: string;
  audience: string;
  published_at: string | null;
  /** When it was last submitted for approval; null if it never was. */
  submitted_at: string | null;
  /** The approval of its last round, if it had one. */
  approved_at: string | null;
  published_unapproved: boolean;
  lint_override: boolean;
}

export interface DeliveryFacts {
  update_id: string;
  state: 'pending' | 'sending' | 'sent' | 'failed' | 'dead';
  sent_at: string | null;
  /** Carried by the fallback of the channel that should have carried it. */
  fallback: boolean;
}

export interface CadenceFacts {
  audience: string;
  updates_due: number;
  updates_on_time: number;
}

export interface ScoreTargets {
  /** `first_external_within` as the plan says it (not divided by the speed); null when the plan sets none. */
  first_external_ms: number | null;
}

export interface Reach {
  update_id: string;
  subscribers: number;
  reached: number;
  /** From publication until half, 95% and all of the subscribers had it; null until that many had. */
  p50_ms: number | null;
  p95_ms: number | null;
  p100_ms: number | null;
}

export interface Scores {
  speed: number;
  /** Spans in plan time (a drill's multiplied back by its speed), in milliseconds. */
  detection_to_declared_ms: number | null;
  declared_to_first_internal_ms: number | null;
  first_external: {
    from: 'detected' | 'declared';
    took_ms: number | null;
    target_ms: number | null;
    met: boolean | null;
  };
  approval: {
    updates: number;
    max_wait_ms: number | null;
    total_wait_ms: number;
    published_unapproved: number;
  };
  cadence: { audience: string; updates_due: number; updates_on_time: number; ratio: number | null }[];
  /** The longest time customers heard nothing: between external publications, from detection to resolution (or now). */
  longest_silence_ms: number;
  lint_overrides: number;
  fallbacks: number;
  /** How fast the first external notice reached its subscribers, in real time. */
  first_notice_reach: Reach | null;
}

function span(from: string | null, to: string | null): number | null {
  return from === null || to === null ? null : Date.parse(to) - Date.parse(from);
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 1000;
}

/** How fast one update's deliveries were sent: the k-th sent where k is the share of all of them, rounded up. */
export function reachOf(updateId: string, publishedAt: string, deliveries: readonly DeliveryFacts[]): Reach {
  const mine = deliveries.filter((d) => d.update_id === updateId);
  const sent = mine
    .filter((d) => d.state === 'sent' && d.sent_at !== null)
    .map((d) => Date.parse(d.sent_at ?? publishedAt) - Date.parse(publishedAt))
    .sort((a, b) => a - b);
  const at = (share: number): number | null => {
    if (mine.length === 0) return null;
    const k = Math.ceil(share * mine.length);
    return sent[k - 1] ?? null;
  };
  return {
    update_id: updateId,
    subscribers: mine.length,
    reached: sent.length,
    p50_ms: at(0.5),
    p95_ms: at(0.95),
    p100_ms: at(1),
  };
}

/** The longest gap between consecutive instants of `[start, ...publications, end]`. */
export function longestSilence(start: string, publications: readonly string[], end: string): number {
  const points = [start, ...publications, end].map((t) => Date.parse(t)).sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < points.length; i += 1) {
    longest = Math.max(longest, (points[i] ?? 0) - (points[i - 1] ?? 0));
  }
  return longest;
}

export function scoreIncident(
  incident: IncidentFacts,
  updates: readonly UpdateFacts[],
  cadence: readonly CadenceFacts[],
  deliveries: readonly DeliveryFacts[],
  targets: ScoreTargets,
  now: string,
): Scores {
  const speed = incident.drill_speed;
  const plan = (ms: number | null) => (ms === null ? null : ms * speed);
  const start = incident.detected_at ?? incident.declared_at;
  const tookExternal = plan(span(start, incident.first_external_at));
  const published = updates.filter((u) => u.published_at !== null);
  const external = published
    .filter((u) => u.audience !== 'internal')
    .sort((a, b) => Date.parse(a.published_at ?? '') - Date.parse(b.published_at ?? ''));

  const waits: number[] = [];
  for (const u of updates) {
    if (u.submitted_at === null) continue;
    const end = u.approved_at ?? (u.published_unapproved ? u.published_at : null);
    const wait = span(u.submitted_at, end);
    if (wait !== null) waits.push(wait * speed);
  }

  const first = external[0];
  return {
    speed,
    detection_to_declared_ms: plan(span(incident.detected_at, incident.declared_at)),
    declared_to_first_internal_ms: plan(span(incident.declared_at, incident.first_internal_at)),
    first_external: {
      from: incident.detected_at === null ? 'declared' : 'detected',
      took_ms: tookExternal,
      target_ms: targets.first_external_ms,
      met:
        targets.first_external_ms === null || tookExternal === null
          ? null
          : tookExternal <= targets.first_external_ms,
    },
    approval: {
      updates: waits.length,
      max_wait_ms: waits.length === 0 ? null : Math.max(...waits),
      total_wait_ms: waits.reduce((a, b) => a + b, 0),
      published_unapproved: updates.filter((u) => u.published_unapproved).length,
    },
    cadence: [...cadence]
      .sort((a, b) => a.audience.localeCompare(b.audience))
      .map((c) => ({ ...c, ratio: ratio(c.updates_on_time, c.updates_due) })),
    longest_silence_ms:
      longestSilence(
        start,
        external.map((u) => u.published_at ?? start),
        incident.resolved_at ?? now,
      ) * speed,
    lint_overrides: updates.filter((u) => u.lint_override).length,
    fallbacks: deliveries.filter((d) => d.fallback).length,
    first_notice_reach: first ? reachOf(first.id, first.published_at ?? start, deliveries) : null,
  };
}

/** Scores as rows of words, for the CLI and the review's Markdown: what was measured, the figure, the target. */
export function scoreRows(s: Scores): { measure: string; value: string; target: string }[] {
  const d = (ms: number | null) => (ms === null ? '-' : formatDuration(ms));
  const rows = [
    { measure: 'detection → declared', value: d(s.detection_to_declared_ms), target: '' },
    { measure: 'declared → first internal', value: d(s.declared_to_first_internal_ms), target: '' },
    {
      measure: `${s.first_external.from} → first external`,
      value: d(s.first_external.took_ms),
      target:
        s.first_external.target_ms === null
          ? ''
          : `${formatDuration(s.first_external.target_ms)} (${s.first_external.met === null ? 'not yet' : s.first_external.met ? 'met' : 'missed'})`,
    },
    {
      measure: 'approval wait (longest)',
      value: `${d(s.approval.max_wait_ms)} over ${s.approval.updates} update(s)`,
      target:
        s.approval.published_unapproved > 0 ? `${s.approval.published_unapproved} published unapproved` : '',
    },
    ...s.cadence.map((c) => ({
      measure: `cadence ${c.audience}`,
      value: `${c.updates_on_time}/${c.updates_due} on time`,
      target: '',
    })),
    { measure: 'longest silence', value: d(s.longest_silence_ms), target: '' },
    { measure: 'lint overrides', value: String(s.lint_overrides), target: '' },
    { measure: 'fallbacks used', value: String(s.fallbacks), target: '' },
  ];
  const r = s.first_notice_reach;
  if (r) {
    rows.push({
      measure: 'first notice reached 50% / 95% / 100%',
      value: `${d(r.p50_ms)} / ${d(r.p95_ms)} / ${d(r.p100_ms)}`,
      target: `${r.reached}/${r.subscribers} reached`,
    });
  }
  return rows;
}
