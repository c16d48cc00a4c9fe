/**
 * A game day's recurring schedule: a five-field cron expression (minute,
 * hour, day of month, month, day of week), read in the plan's time zone
 * and walked by cron-parser (a maintained parser: ranges, steps, names,
 * time zones and their summer time, which a hand-written one would get
 * wrong). Pure.
 */
import { requireOnFirstUse } from './first-use.ts';

// cron-parser (and Luxon beneath it) is loaded with the first schedule read.
const cronParser = requireOnFirstUse<typeof import('cron-parser')>('cron-parser');
const parser = () => cronParser().CronExpressionParser;

/** Five fields: no seconds (a game day is not run by the second) and no nicknames. */
const cronPattern = /^\S+(?:\s+\S+){4}$/;

/** The most often a game day may recur: once an hour. */
const minimumGapMs = 60 * 60 * 1000;

/** The first occurrence after `after`, in `timeZone`; null when the expression has none. */
export function nextOccurrence(cron: string, timeZone: string, after: Date): Date | null {
  try {
    return parser().parse(cron, { currentDate: after, tz: timeZone, strict: false }).next().toDate();
  } catch {
    return null;
  }
}

/** Whether `at` is one of the expression's instants in `timeZone`. */
export function isOccurrence(cron: string, timeZone: string, at: Date): boolean {
  return nextOccurrence(cron, timeZone, new Date(at.getTime() - 1))?.getTime() === at.getTime();
}

/** What is wrong with an expression, in a line; null when it is a schedule a game day can keep. */
export function cronProblem(cron: string): string | null {
  if (!cronPattern.test(cron.trim()))
    return 'five fields: minute hour day-of-month month day-of-week (0 14 * * 3: Wednesdays at 14:00)';
  let instants: Date[];
  try {
    // From a fixed instant, so the answer is the same whenever the plan is checked.
    instants = parser()
      .parse(cron, { currentDate: new Date('2026-01-01T00:00:00Z'), tz: 'UTC' })
      .take(24)
      .map((d) => d.toDate());
  } catch (err) {
    return `not a cron expression: ${(err as Error).message}`;
  }
  if (instants.length === 0) return 'it never falls due';
  for (let i = 1; i < instants.length; i += 1) {
    const gap = (instants[i]?.getTime() ?? 0) - (instants[i - 1]?.getTime() ?? 0);
    if (gap < minimumGapMs) return 'a game day recurs at most once an hour';
  }
  return null;
}
