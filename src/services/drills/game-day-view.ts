/** A game day as the API and the CLI show it. */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { ScriptEvent } from '../../plan/game-days.ts';
import type { Database } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';

/** A script event as scheduled: the plan's event and the instant it falls due. */
export type ScheduledEvent = ScriptEvent & { due_at: string };

export const GameDayView = z.object({
  id: z.string(),
  name: z.string().describe('The plan’s name for it (under `drills:`).'),
  incident_id: z.string().describe('Its drill.'),
  speed: z.int(),
  state: z.enum(['running', 'done']),
  started_at: z.string(),
  finished_at: z.string().nullable(),
  events: z.array(
    z.object({
      at: z.string().describe('The offset the plan gives.'),
      event: z.string().describe('alert, component, fail_channel, resolve_alert or resolve.'),
      due_at: z.string(),
      done: z.boolean(),
    }),
  ),
});
export type GameDayView = z.infer<typeof GameDayView>;

export function gameDayView(row: Database['game_days']): GameDayView {
  const script = JSON.parse(row.script) as ScheduledEvent[];
  return {
    id: row.id,
    name: row.name,
    incident_id: row.incident_id,
    speed: row.speed,
    state: row.state,
    started_at: row.started_at,
    finished_at: row.finished_at,
    events: script.map((e, i) => ({
      at: e.at,
      event: Object.keys(e).find((k) => k !== 'at' && k !== 'due_at') ?? 'unknown',
      due_at: e.due_at,
      done: i < row.steps_done,
    })),
  };
}

export async function getGameDay(ctx: Ctx, id: string): Promise<GameDayView> {
  authorize(ctx, 'read');
  const row = await ctx.db.selectFrom('game_days').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CrierError('not_found', `No game day has the id ${id}.`, { id });
  return gameDayView(row);
}
