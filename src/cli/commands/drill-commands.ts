/** Drills: rehearse one of the plan's scenarios, heard only by the team. */
import type { Command } from 'commander';
import { scoreRows } from '../../domain/scores.ts';
import { call } from '../client.ts';
import { CliError, print, table } from '../output.ts';
import { componentMap } from './client-commands.ts';
import { api, collect, rows, withJson } from './common.ts';

/** `--speed 60`, `--limit 20`: a whole number from 1. */
function wholeOf(value: string, flag: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1)
    throw new CliError(`${flag} takes a whole number from 1, got "${value}".`, 2);
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
            speed: wholeOf(o.speed, '--speed'),
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
  withJson(
    drill
      .command('report')
      .description("a drill's scores against the plan's targets, in plan time (any incident's, given its id)")
      .argument('<id>', 'the drill (or incident) id'),
  ).action(async (id: string, o: { json: boolean }) => {
    const r = await call((await api()).GET('/api/v1/drills/{id}/report', { params: { path: { id } } }));
    print(r, o.json, () =>
      [
        `${r.name} (${r.drill ? `drill at speed ${r.scores.speed}` : 'incident'}, ${r.severity ?? 'no severity'})`,
        table(scoreRows(r.scores), ['measure', 'value', 'target']),
      ].join('\n'),
    );
  });
  withJson(
    drill
      .command('trend')
      .description('the scores of the latest drills, oldest first')
      .option('--scenario <name>', 'only drills of this scenario')
      .option('--limit <n>', 'the latest N drills', '20'),
  ).action(async (o: { json: boolean; scenario?: string; limit: string }) => {
    const list = await call(
      (await api()).GET('/api/v1/drills/scores', {
        params: {
          query: { limit: wholeOf(o.limit, '--limit'), ...(o.scenario && { scenario: o.scenario }) },
        },
      }),
    );
    const minutes = (ms: number | null) => (ms === null ? null : Math.round(ms / 6000) / 10);
    print(list, o.json, () =>
      table(
        list.map((r) => ({
          id: r.incident_id,
          scenario: r.scenario,
          declared_at: r.declared_at,
          first_external_min: minutes(r.scores.first_external.took_ms),
          met: r.scores.first_external.met,
          silence_min: minutes(r.scores.longest_silence_ms),
          cadence: r.scores.cadence
            .map((c) => `${c.audience} ${c.updates_on_time}/${c.updates_due}`)
            .join(', '),
          fallbacks: r.scores.fallbacks,
        })),
        ['id', 'scenario', 'declared_at', 'first_external_min', 'met', 'silence_min', 'cadence', 'fallbacks'],
      ),
    );
  });
  withJson(
    drill
      .command('run')
      .description(
        "run one of the plan's game days (drills:) now: its drill starts and its script plays at its offsets",
      )
      .argument('<name>', 'a game day of the plan (under drills:)')
      .option('--speed <n>', 'divide every duration of the plan and every offset of the script by N'),
  ).action(async (name: string, o: { json: boolean; speed?: string }) => {
    const g = await call(
      (await api()).POST('/api/v1/drills/run', {
        body: { name, ...(o.speed !== undefined && { speed: wholeOf(o.speed, '--speed') }) },
      }),
    );
    print(g, o.json, () =>
      [
        `Game day ${g.name} (${g.id}): drill ${g.incident_id} at speed ${g.speed}, ${g.state}.`,
        table(rows(g.events), ['at', 'event', 'due_at', 'done']),
      ].join('\n'),
    );
  });
}
