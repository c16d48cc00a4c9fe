/** Drills: rehearse one of the plan's scenarios, heard only by the team. */
import type { Command } from 'commander';
import { call } from '../client.ts';
import { CliError, print, table } from '../output.ts';
import { componentMap } from './client-commands.ts';
import { api, collect, rows, withJson } from './common.ts';

/** `--speed 60`: a whole number from 1. */
function speedOf(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new CliError(`--speed takes a whole number from 1, got "${value}".`, 2);
  return n;
}

export function drillCommands(program: Command): void {
  const drill = program
    .command('drill')
    .description('drills: run a scenario of the plan through everything real, heard only by the team');
  withJson(
    drill
      .command('start')
      .description(
        "start a drill of a scenario: its messages go only to the plan's drill audience, marked [DRILL]; its component changes are drill state",
      )
      .argument('<scenario>', 'a scenario of the plan')
      .option('--severity <sev>', "the severity to run it at (the scenario's by default)")
      .option(
        '--speed <n>',
        'divide every duration of the plan by N (cadence, reminders, approval timeouts)',
        '1',
      )
      .option('--name <name>', "the drill's name (the scenario's by default)")
      .option('-c, --component <id=status>', 'a component and its drill status (repeat)', collect),
  ).action(
    async (
      scenario: string,
      o: { json: boolean; severity?: string; speed: string; name?: string; component?: string[] },
    ) => {
      const i = await call(
        (await api()).POST('/api/v1/drills', {
          body: {
            scenario,
            speed: speedOf(o.speed),
            ...(o.severity && { severity: o.severity }),
            ...(o.name && { name: o.name }),
            components: componentMap(o.component),
          },
        }),
      );
      print(i, o.json, () =>
        table(rows(i), ['id', 'name', 'severity', 'status', 'drill_speed', 'declared_at']),
      );
    },
  );
}
