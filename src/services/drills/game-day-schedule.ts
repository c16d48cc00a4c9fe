/**
 * A game day on the plan's schedule falls due (scheduled by
 * game-day-plan.ts). The plan in force is read again, so a run taken out
 * of the plan since does nothing; a recurring one schedules its next
 * occurrence as it starts.
 */
import { nextOccurrence } from '../../domain/recurrence.ts';
import { enqueueJob, type JobPayloads } from '../../store/outbox.ts';
import { actingAs, type Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { runGameDay } from './game-day.ts';
import { scheduledAt, scheduleRun } from './game-day-plan.ts';

/**
 * A scheduled game day fell due: it starts, or each participant is sent a reminder by email
 * (a `person.notice` of its own, retried alone). Nothing when the plan no longer schedules it.
 */
export async function gameDayScheduled(ctx: Ctx, job: JobPayloads['gameday.scheduled']): Promise<void> {
  const plan = await currentPlan(ctx.db);
  const spec = plan?.drills[job.name];
  if (!plan || !spec || !scheduledAt(spec, plan.page?.time_zone ?? 'UTC', job.at)) return;
  if (job.what === 'start') {
    // A recurring game day: its next occurrence, and the reminder before it, are scheduled as this one
    // starts (after now: occurrences a stopped worker missed are not made up).
    const after = new Date(Math.max(Date.parse(job.at), ctx.clock.now().getTime()));
    const next =
      spec.cron === undefined ? null : nextOccurrence(spec.cron, plan.page?.time_zone ?? 'UTC', after);
    if (next !== null) await withTransaction(ctx, (tx) => scheduleRun(tx, job.name, spec, next));
    await runGameDay(actingAs(ctx, { id: `game-day:${job.name}`, role: 'admin', source: 'schedule' }), {
      name: job.name,
    });
    return;
  }
  const message = {
    title: `Game day ${job.name} starts at ${job.at}`,
    text: `You take part in the game day "${job.name}": a drill of the scenario ${spec.scenario} starts at ${job.at} (UTC), at speed ${spec.speed}. Its messages reach only the team, each marked [DRILL].`,
    drill: true,
  };
  await withTransaction(ctx, async (tx) => {
    for (const contact of spec.participants) {
      await enqueueJob(tx, {
        kind: 'person.notice',
        payload: { via: 'email', contact, message },
        dedupeKey: `gameday:remind:${job.name}:${job.at}:${contact}`,
      });
    }
  });
}
