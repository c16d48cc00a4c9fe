/**
 * The plan's `drills:` entries: game days. Each names a scenario to
 * rehearse, when it runs by itself, who is reminded beforehand, and a
 * script of events at offsets from its start (an alert fires, a component
 * worsens, a channel is made to fail, the alert resolves, the drill is
 * resolved). Run by src/services/drills/game-day.ts; docs/drills.md.
 */
import { z } from 'zod';
import { componentStatuses } from '../domain/components.ts';
import { durationPattern } from '../domain/duration.ts';
import { cronProblem } from '../domain/recurrence.ts';

const Duration = z.string().regex(durationPattern, 'a duration such as 30s, 15m, 2h, 1d or 1h30m');
const Name = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _, starting with a letter');

const ScriptEvent = z
  .strictObject({
    at: Duration.describe('When, after the game day starts (0s for at once); divided by its speed.'),
    alert: z
      .strictObject({
        title: z.string().trim().min(1).max(200),
        severity: z.string().max(100).optional(),
        labels: z.record(z.string().min(1).max(100), z.string().max(500)).default({}),
      })
      .optional()
      .describe(
        'An alert fires, through the same ingest path as a real one; the runbooks it matches are rehearsed on the drill.',
      ),
    component: z
      .record(z.string().min(1).max(64), z.enum(componentStatuses))
      .optional()
      .describe(
        'Components (by id) move to these statuses, as the drill’s state: public statuses never move.',
      ),
    fail_channel: z
      .strictObject({
        channel: Name.describe('A channel of the plan.'),
        for: Duration.optional().describe('How long; until the end of the drill without it.'),
      })
      .optional()
      .describe(
        'The drill’s messages on this channel fail, as an outage would: retries, then its fallback. Nobody else’s.',
      ),
    resolve_alert: z.strictObject({}).optional().describe('The alerts this game day fired resolve.'),
    resolve: z
      .strictObject({})
      .optional()
      .describe(
        'The drill is resolved in the scenario’s resolved words (if the team has not resolved it yet).',
      ),
  })
  .refine(
    (e) => Object.keys(e).filter((k) => k !== 'at').length === 1,
    'one event besides `at`: alert, component, fail_channel, resolve_alert or resolve',
  );
export type ScriptEvent = z.infer<typeof ScriptEvent>;

export const GameDaySpec = z.strictObject({
  scenario: Name.describe('The scenario to rehearse.'),
  severity: z.string().max(32).optional().describe('The severity to run it at; the scenario’s by default.'),
  speed: z
    .int()
    .min(1)
    .max(1000)
    .default(1)
    .describe('Divides every duration of the plan and every offset of the script (docs/drills.md).'),
  schedule: z
    .array(z.iso.datetime({ offset: true }))
    .max(100)
    .default([])
    .describe('When it runs by itself (ISO 8601 instants); `crier drill run NAME` runs it now.'),
  cron: z
    .string()
    .max(100)
    .superRefine((cron, ctx) => {
      const problem = cronProblem(cron);
      if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional()
    .describe(
      'When it recurs by itself: a five-field cron expression (minute hour day-of-month month day-of-week) in the page’s time zone; `0 14 1 * *` is 14:00 on the first of each month. At most once an hour.',
    ),
  participants: z
    .array(z.email().max(200))
    .max(200)
    .default([])
    .describe('Who is reminded by email before each scheduled run.'),
  remind_before: Duration.default('1h').describe(
    'How long before a scheduled run the participants are reminded.',
  ),
  script: z.array(ScriptEvent).max(100).default([]).describe('Events at offsets from the start.'),
});
export type GameDaySpec = z.infer<typeof GameDaySpec>;

export const GameDaysSection = z
  .record(Name, GameDaySpec)
  .default({})
  .describe('Game days: scripted drills, run on a schedule or by `crier drill run NAME` (docs/drills.md).');

interface GameDayProblem {
  path: string;
  message: string;
}

/** Each game day names a scenario, severity and channels the plan has. */
export function checkGameDays(
  drills: Record<string, GameDaySpec>,
  known: { scenarios: readonly string[]; severities: readonly string[]; channels: readonly string[] },
): GameDayProblem[] {
  const problems: GameDayProblem[] = [];
  for (const [name, spec] of Object.entries(drills)) {
    const at = `drills.${name}`;
    if (!known.scenarios.includes(spec.scenario))
      problems.push({ path: `${at}.scenario`, message: `no scenario named "${spec.scenario}"` });
    if (spec.severity !== undefined && !known.severities.includes(spec.severity))
      problems.push({ path: `${at}.severity`, message: `no severity named "${spec.severity}"` });
    spec.script.forEach((event, i) => {
      const channel = event.fail_channel?.channel;
      if (channel !== undefined && !known.channels.includes(channel))
        problems.push({
          path: `${at}.script.${i}.fail_channel.channel`,
          message: `no channel named "${channel}"`,
        });
    });
  }
  return problems;
}
