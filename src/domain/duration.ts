/** Durations as people write them in the plan: `90s`, `15m`, `2h`, `1d`, `1w`, or combined (`1h30m`). */

const unitMs: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export const durationPattern = /^(?:\d+[smhdw])+$/;

/** Milliseconds in a duration string, or null when it is not one. Zero is not a duration. */
export function parseDuration(text: string): number | null {
  if (!durationPattern.test(text)) return null;
  let total = 0;
  for (const [, n, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    total += Number(n) * (unitMs[unit ?? ''] ?? 0);
  }
  return total > 0 ? total : null;
}

/** The shortest way to write a duration, for messages: 90 minutes is `1h30m`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('') || '0s';
}
