/**
 * Game days: one of the plan's `drills:` entries run as a drill, with its
 * script played out at its offsets (divided by the speed). The drill is
 * declared at the start, through startDrill, so it reaches only the team;
 * each event of the script is an outbox job at its instant, and a job plays
 * every event up to its own, in order, so events due together keep their
 * order and a repeated job finds the work done.
 *
 * - `alert`: an alert fires through the same ingest path as a real one
 *   (stored, audited, labelled `crier_game_day`), and the runbooks it
 *   matches are rehearsed on the drill alone (runbooks/run.ts).
 * - `component`: components worsen in the drill's state only.
 * - `fail_channel`: the drill's messages on that channel fail as in an
 *   outage (retries, then the channel's fallback); nobody else's do.
 * - `resolve_alert`: the game day's alerts resolve.
 * - `resolve`: the drill resolves in the scenario's words.
 */
import { z } from 'zod';
import { parseDuration } from '../../domain/duration.ts';
import { CrierError } from '../../domain/errors.ts';
import type { ScriptEvent } from '../../plan/game-days.ts';
import { newId } from '../../store/ids.ts';
import { lockNamed } from '../../store/locks.ts';
import { enqueueJob } from '../../store/outbox.ts';
import { audit } from '../audit.ts';
import { actingAs, type Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { playEvent } from './game-day-events.ts';
import { type GameDayView, gameDayView, type ScheduledEvent } from './game-day-view.ts';
import { startDrill } from './start.ts';

export const RunGameDayInput = z.strictObject({
  name: z.string().min(1).max(63).describe('The name of one of the plan’s `drills:` entries.'),
  speed: z
    .int()
    .min(1)
    .max(1000)
    .optional()
    .describe('Divides every duration of the plan and every offset of the script; the entry’s by default.'),
});
export type RunGameDayInput = z.input<typeof RunGameDayInput>;

/** Starts a game day now: its drill is declared and its script's events are scheduled. */
export async function runGameDay(ctx: Ctx, raw: RunGameDayInput): Promise<GameDayView> {
  authorize(ctx, 'incident.declare');
  const input = RunGameDayInput.parse(raw);
  const plan = await currentPlan(ctx.db);
  const spec = plan?.drills[input.name];
  if (!plan || !spec) {
    throw new CrierError('validation_failed', `The plan has no game day "${input.name}" under drills.`, [
      { path: 'name', message: `one of: ${Object.keys(plan?.drills ?? {}).join(', ') || 'none defined'}` },
    ]);
  }
  const speed = input.speed ?? spec.speed;
  return withTransaction(ctx, async (tx) => {
    const drill = await startDrill(tx, {
      scenario: spec.scenario,
      speed,
      ...(spec.severity !== undefined && { severity: spec.severity }),
    });
    const now = tx.clock.now();
    const script: ScheduledEvent[] = spec.script
      .map((event, order) => ({ event, order, offset: (parseDuration(event.at) ?? 0) / speed }))
      .sort((a, b) => a.offset - b.offset || a.order - b.order)
      .map(({ event, offset }) => ({ ...event, due_at: new Date(now.getTime() + offset).toISOString() }));
    const id = newId();
    const row = {
      id,
      name: input.name,
      incident_id: drill.id,
      speed,
      state: script.length === 0 ? ('done' as const) : ('running' as const),
      script: JSON.stringify(script),
      steps_done: 0,
      failing: '[]',
      started_by: tx.actor.id,
      started_at: now.toISOString(),
      finished_at: script.length === 0 ? now.toISOString() : null,
    };
    await tx.db.insertInto('game_days').values(row).execute();
    for (const [index, event] of script.entries()) {
      await enqueueJob(tx, {
        kind: 'gameday.step',
        runAt: event.due_at,
        payload: { game_day_id: id, index },
        dedupeKey: `gameday:${id}:${index}`,
      });
    }
    await audit(tx, {
      action: 'drill.game_day',
      subjectType: 'incident',
      subjectId: drill.id,
      after: { game_day: id, name: input.name, speed, events: script.length },
    });
    return gameDayView(row);
  });
}

/** The event at `index` fell due: plays every event not played yet, up to it, in order. */
export async function gameDayStep(ctx: Ctx, job: { game_day_id: string; index: number }): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    await lockNamed(tx.db, `gameday:${job.game_day_id}`);
    const row = await tx.db
      .selectFrom('game_days')
      .selectAll()
      .where('id', '=', job.game_day_id)
      .executeTakeFirst();
    if (row?.state !== 'running' || row.steps_done > job.index) return;
    const script = JSON.parse(row.script) as ScheduledEvent[];
    const actor = actingAs(tx, { id: `game-day:${row.name}`, role: 'admin', source: 'game-day' });
    let failing = JSON.parse(row.failing) as { channel: string; until: string | null }[];
    let done = row.steps_done;
    for (; done <= job.index && done < script.length; done += 1) {
      const event = script[done];
      if (!event) break;
      const outcome = await playEvent(actor, { ...row, index: done }, event as ScriptEvent);
      if (outcome.failing) failing = [...failing, outcome.failing];
      await audit(actor, {
        action: 'drill.game_day_event',
        subjectType: 'incident',
        subjectId: row.incident_id,
        after: {
          game_day: row.id,
          index: done,
          event: outcome.what,
          ...(outcome.skipped && { skipped: outcome.skipped }),
        },
      });
    }
    const finished = done >= script.length;
    await tx.db
      .updateTable('game_days')
      .set({
        steps_done: done,
        failing: JSON.stringify(failing),
        ...(finished && { state: 'done' as const, finished_at: tx.clock.now().toISOString() }),
      })
      .where('id', '=', row.id)
      .execute();
  });
}

/** The channels a drill's messages are made to fail on; null when no game day runs the incident. */
export async function failingChannels(
  ctx: Pick<Ctx, 'db'>,
  incidentId: string,
): Promise<{ channel: string; until: string | null }[] | null> {
  const rows = await ctx.db
    .selectFrom('game_days')
    .select('failing')
    .where('incident_id', '=', incidentId)
    .execute();
  if (rows.length === 0) return null;
  return rows.flatMap((r) => JSON.parse(r.failing) as { channel: string; until: string | null }[]);
}
