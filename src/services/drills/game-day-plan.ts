/**
 * Game days on the plan's schedule: whenever a plan version is stored, each
 * scheduled run still ahead becomes an outbox job at its instant, and the
 * participants' reminder one at `remind_before` ahead of it
 * (game-day-schedule.ts runs them).
 */
import { parseDuration } from '../../domain/duration.ts';
import type { Plan } from '../../plan/schema.ts';
import { enqueueJob } from '../../store/outbox.ts';
import type { Ctx } from '../context.ts';

export async function scheduleGameDays(tx: Ctx, plan: Plan): Promise<void> {
  const now = tx.clock.now().getTime();
  for (const [name, spec] of Object.entries(plan.drills)) {
    for (const at of spec.schedule) {
      const start = Date.parse(at);
      if (!(start > now)) continue;
      const iso = new Date(start).toISOString();
      await enqueueJob(tx, {
        kind: 'gameday.scheduled',
        runAt: iso,
        payload: { name, at: iso, what: 'start' },
        dedupeKey: `gameday:start:${name}:${iso}`,
      });
      const remindAt = start - (parseDuration(spec.remind_before) ?? 0);
      if (spec.participants.length > 0 && remindAt > now) {
        await enqueueJob(tx, {
          kind: 'gameday.scheduled',
          runAt: new Date(remindAt).toISOString(),
          payload: { name, at: iso, what: 'remind' },
          dedupeKey: `gameday:remind:${name}:${iso}`,
        });
      }
    }
  }
}
