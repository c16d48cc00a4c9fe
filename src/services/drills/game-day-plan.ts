/**
 * Game days on the plan's schedule: whenever a plan version is stored, each
 * listed run still ahead, and the next occurrence of a recurring one
 * (`cron`), becomes an outbox job at its instant, and the participants'
 * reminder one at `remind_before` ahead of it (game-day-schedule.ts runs
 * them, and schedules a recurring game day's next occurrence as each one
 * starts).
 */
import { parseDuration } from '../../domain/duration.ts';
import { isOccurrence, nextOccurrence } from '../../domain/recurrence.ts';
import type { GameDaySpec } from '../../plan/game-days.ts';
import type { Plan } from '../../plan/schema.ts';
import { enqueueJob } from '../../store/outbox.ts';
import type { Ctx } from '../context.ts';

export async function scheduleGameDays(tx: Ctx, plan: Plan): Promise<void> {
  const now = tx.clock.now();
  for (const [name, spec] of Object.entries(plan.drills)) {
    for (const at of spec.schedule) {
      const start = new Date(Date.parse(at));
      if (start > now) await scheduleRun(tx, name, spec, start);
    }
    const next =
      spec.cron === undefined ? null : nextOccurrence(spec.cron, plan.page?.time_zone ?? 'UTC', now);
    if (next !== null) await scheduleRun(tx, name, spec, next);
  }
}

/** A run of the game day at `start`, and its participants' reminder if that is still ahead. Idempotent. */
export async function scheduleRun(tx: Ctx, name: string, spec: GameDaySpec, start: Date): Promise<void> {
  const iso = start.toISOString();
  await enqueueJob(tx, {
    kind: 'gameday.scheduled',
    runAt: iso,
    payload: { name, at: iso, what: 'start' },
    dedupeKey: `gameday:start:${name}:${iso}`,
  });
  const remindAt = start.getTime() - (parseDuration(spec.remind_before) ?? 0);
  if (spec.participants.length > 0 && remindAt > tx.clock.now().getTime()) {
    await enqueueJob(tx, {
      kind: 'gameday.scheduled',
      runAt: new Date(remindAt).toISOString(),
      payload: { name, at: iso, what: 'remind' },
      dedupeKey: `gameday:remind:${name}:${iso}`,
    });
  }
}

/** Whether the game day is scheduled at `at`: listed, or an occurrence of its `cron`. */
export function scheduledAt(spec: GameDaySpec, timeZone: string, at: string): boolean {
  const instant = new Date(Date.parse(at));
  return (
    spec.schedule.some((s) => Date.parse(s) === instant.getTime()) ||
    (spec.cron !== undefined && isOccurrence(spec.cron, timeZone, instant))
  );
}
