/** Clients of the admin API: components, incidents, maintenances, roles. */
import type { Command } from 'commander';
import { type ComponentStatus, componentStatuses, impacts } from '../../domain/components.ts';
import { incidentStatuses } from '../../domain/incidents.ts';
import { call, type Schemas } from '../client.ts';
import { print, table } from '../output.ts';
import { api, collect, oneOf, pairs, rows, withJson } from './common.ts';

/** `--component api=major_outage` pairs, as the API's `components` map. */
export function componentMap(list: string[] | undefined): Record<string, ComponentStatus> {
  const map: Record<string, ComponentStatus> = {};
  for (const [id, status] of Object.entries(pairs(list, '--component'))) {
    map[id] = oneOf(status, componentStatuses, 'component status');
  }
  return map;
}

const incidentColumns = ['id', 'name', 'status', 'impact', 'created_at'];
const openStatuses = incidentStatuses.filter((s) => s !== 'resolved' && s !== 'postmortem');
const componentOption = [
  '-c, --component <id=status>',
  'a component and its new status (repeat)',
  collect,
] as const;

function showIncident(i: Schemas['Incident']): string {
  const head = table(rows(i), incidentColumns);
  const comps = i.components.length
    ? `\nComponents:\n${table(rows(i.components), ['id', 'name', 'status'])}`
    : '';
  const updates = `\nUpdates:\n${table(rows(i.incident_updates), ['id', 'display_at', 'status', 'state', 'audience', 'body'])}`;
  return `${head}${comps}${updates}`;
}

interface Json {
  json: boolean;
}

type Runs = Schemas['RunbookRun'][];

/**
 * Retries a step named `0.do.2`, or `do.2` in its run's current round; the run is `--run`, or the
 * one run with that step. Returns the runs as they stand after.
 */
async function retryStep(id: string, runs: Runs, step: string, runId: string | undefined): Promise<Runs> {
  const full = (r: Runs[number]) => (/^\d+\./.test(step) ? step : `${r.round}.${step}`);
  const candidates = runs.filter(
    (r) => (runId === undefined || r.id === runId) && r.steps.some((s) => s.id === full(r)),
  );
  const [run] = candidates;
  if (run === undefined || candidates.length > 1) {
    const which = candidates.length > 1 ? 'Several runs have' : runId ? `Run ${runId} has not` : 'No run has';
    throw new Error(
      `${which} a step ${step}: name the run with --run (${runs.map((r) => `${r.id} ${r.runbook}`).join(', ') || 'none'}).`,
    );
  }
  await call(
    (await api()).POST('/api/v1/incidents/{id}/runbook-runs/{run}/steps/{step}/retry', {
      params: { path: { id, run: run.id, step: full(run) } },
      body: {},
    }),
  );
  return call((await api()).GET('/api/v1/incidents/{id}/runbook-runs', { params: { path: { id } } }));
}

function componentCommands(program: Command): void {
  const component = program.command('component').description('components customers use');
  withJson(component.command('list').description('list components')).action(async (o: Json) => {
    const list = await call((await api()).GET('/api/v1/components'));
    print(list, o.json, () => table(rows(list), ['id', 'name', 'status', 'group_id']));
  });
  withJson(
    component
      .command('add')
      .description('add a component')
      .argument('<name>', 'its name on the page')
      .option('--description <text>', 'a line under its name')
      .option('--group <id>', 'the group it belongs to')
      .option('--status <status>', `its status (${componentStatuses.join(', ')})`),
  ).action(async (name: string, o: Json & { description?: string; group?: string; status?: string }) => {
    const created = await call(
      (await api()).POST('/api/v1/components', {
        body: {
          name,
          ...(o.description && { description: o.description }),
          ...(o.group && { group_id: o.group }),
          ...(o.status && { status: oneOf(o.status, componentStatuses, 'component status') }),
        },
      }),
    );
    print(created, o.json, () => table(rows(created), ['id', 'name', 'status']));
  });
  withJson(
    component
      .command('set-status')
      .description("set a component's status")
      .argument('<id>', 'the component')
      .argument('<status>', componentStatuses.join(', ')),
  ).action(async (id: string, status: string, o: Json) => {
    const updated = await call(
      (await api()).PATCH('/api/v1/components/{id}', {
        params: { path: { id } },
        body: { status: oneOf(status, componentStatuses, 'component status') },
      }),
    );
    print(updated, o.json, () => table(rows(updated), ['id', 'name', 'status']));
  });
}

interface DeclareOptions extends Json {
  message?: string;
  status?: string;
  component?: string[];
  impact?: string;
  scenario?: string;
  severity?: string;
  audience?: string;
  var?: string[];
  eta?: string;
  drill: boolean;
}

function incidentCommands(program: Command): void {
  const incident = program.command('incident').description('incidents and their timeline');
  withJson(
    incident
      .command('list')
      .description('list incidents')
      .option('--state <state>', 'unresolved, resolved or all', 'all'),
  ).action(async (o: Json & { state: string }) => {
    const state = oneOf(o.state, ['unresolved', 'resolved', 'all'] as const, 'state');
    const list = await call((await api()).GET('/api/v1/incidents', { params: { query: { state } } }));
    print(list, o.json, () => table(rows(list), incidentColumns));
  });
  withJson(
    incident.command('show').description('an incident with its components and updates').argument('<id>'),
  ).action(async (id: string, o: Json) => {
    const i = await call((await api()).GET('/api/v1/incidents/{id}', { params: { path: { id } } }));
    print(i, o.json, () => showIncident(i));
  });
  withJson(
    incident
      .command('runbook')
      .description(
        'the runbook runs that acted on an incident, step by step; --retry runs a failed step again',
      )
      .argument('<id>')
      .option('--retry <step>', 'a failed step to run again, by its id (0.do.2) or its list and place (do.2)')
      .option('--run <run>', 'the run the step is in, where several acted on the incident'),
  ).action(async (id: string, o: Json & { retry?: string; run?: string }) => {
    let runs = await call(
      (await api()).GET('/api/v1/incidents/{id}/runbook-runs', { params: { path: { id } } }),
    );
    if (o.retry !== undefined) runs = await retryStep(id, runs, o.retry, o.run);
    print(runs, o.json, () =>
      runs.length === 0
        ? 'No runbook acted on this incident.'
        : runs
            .map(
              (r) =>
                `${r.runbook} (${r.state}${r.round > 0 ? `, reopened ${r.round}x` : ''}), alerts: ${r.alerts.map((a) => `${a.title} [${a.status}]`).join('; ')}\n` +
                table(rows(r.steps), ['id', 'kind', 'state', 'attempts', 'gave_up', 'outcome', 'error']),
            )
            .join('\n\n'),
    );
  });
  withJson(
    incident
      .command('sentiment')
      .description('what people posted about an incident on social networks: volume and sentiment over time')
      .argument('<id>')
      .option('--bucket <width>', '1m, 5m, 10m or 1h', '10m'),
  ).action(async (id: string, o: Json & { bucket: string }) => {
    const bucket = oneOf(o.bucket, ['1m', '5m', '10m', '1h'] as const, 'bucket');
    const s = await call(
      (await api()).GET('/api/v1/incidents/{id}/sentiment', { params: { path: { id }, query: { bucket } } }),
    );
    const columns = ['mentions', 'negative', 'neutral', 'positive', 'average_score'];
    print(s, o.json, () =>
      s.totals.mentions === 0
        ? 'No mentions were read for this incident.'
        : `${table(rows(s.buckets), ['start', ...columns])}\n\nBy network:\n${table(
            Object.entries(s.networks).map(([network, c]) => ({ network, ...c })),
            ['network', ...columns],
          )}\n\nTotal: ${s.totals.mentions} mentions, ${s.totals.negative} negative, ${s.totals.neutral} neutral, ${s.totals.positive} positive (mean score ${s.totals.average_score}).`,
    );
  });
  withJson(
    incident
      .command('declare')
      .description("declare an incident; with --scenario, its first update is the scenario's template")
      .argument('<name>', 'what customers see as its title')
      .option(
        '-m, --message <text>',
        "the first update (default: the scenario's template, or a generic line)",
      )
      .option('--scenario <name>', 'a scenario of the plan: its impact and templates')
      .option('--severity <sev>', 'a severity of the plan (SEV1…): cadence, approval and audiences')
      .option('--status <status>', openStatuses.join(', '))
      .option(...componentOption)
      .option('--impact <impact>', `override the impact (${impacts.join(', ')})`)
      .option('--audience <name>', 'who the first update is for', 'public')
      .option('--var <key=value>', "a variable for the scenario's template (repeat)", collect)
      .option('--eta <iso>', 'when the fix is expected (ISO 8601)')
      .option('--drill', 'a game-day drill, marked as such everywhere', false),
  ).action(async (name: string, o: DeclareOptions) => {
    const i = await call(
      (await api()).POST('/api/v1/incidents', {
        body: {
          name,
          ...(o.message && { body: o.message }),
          ...(o.scenario && { scenario: o.scenario }),
          ...(o.severity && { severity: o.severity }),
          ...(o.status && { status: oneOf(o.status, openStatuses, 'status') }),
          ...(o.impact && { impact_override: oneOf(o.impact, impacts, 'impact') }),
          ...(o.eta && { eta: o.eta }),
          ...(o.drill && { drill: true }),
          audience: o.audience ?? 'public',
          variables: pairs(o.var, '--var'),
          components: componentMap(o.component),
        },
      }),
    );
    print(i, o.json, () => showIncident(i));
  });
  withJson(
    incident
      .command('update')
      .description('post an update (as the plan allows: drafts needing approval use `crier draft`)')
      .argument('<id>', 'the incident')
      .requiredOption('-m, --message <text>', 'what to say')
      .option('--status <status>', incidentStatuses.join(', '))
      .option(...componentOption),
  ).action(async (id: string, o: Json & { message: string; status?: string; component?: string[] }) => {
    const u = await call(
      (await api()).POST('/api/v1/incidents/{id}/updates', {
        params: { path: { id } },
        body: {
          body: o.message,
          ...(o.status && { status: oneOf(o.status, incidentStatuses, 'status') }),
          components: componentMap(o.component),
        },
      }),
    );
    print(u, o.json, () => table([u], ['id', 'status', 'state', 'body']));
  });
  withJson(
    incident
      .command('resolve')
      .description("resolve an incident (without --message, in the scenario's resolved words)")
      .argument('<id>', 'the incident')
      .option('-m, --message <text>', 'the closing update')
      .option(...componentOption),
  ).action(async (id: string, o: Json & { message?: string; component?: string[] }) => {
    const i = await call(
      (await api()).POST('/api/v1/incidents/{id}/resolve', {
        params: { path: { id } },
        body: { ...(o.message && { body: o.message }), components: componentMap(o.component) },
      }),
    );
    print(i, o.json, () => showIncident(i));
  });
}

function maintenanceCommands(program: Command): void {
  const maintenance = program.command('maintenance').description('scheduled maintenance');
  withJson(
    maintenance
      .command('list')
      .description('list maintenances')
      .option('--state <state>', 'upcoming, active, finished or all', 'all'),
  ).action(async (o: Json & { state: string }) => {
    const state = oneOf(o.state, ['upcoming', 'active', 'finished', 'all'] as const, 'state');
    const list = await call((await api()).GET('/api/v1/maintenances', { params: { query: { state } } }));
    print(list, o.json, () =>
      table(rows(list), ['id', 'name', 'status', 'scheduled_for', 'scheduled_until']),
    );
  });
  withJson(
    maintenance
      .command('schedule')
      .description('schedule a maintenance window')
      .argument('<name>')
      .requiredOption('--start <iso>', 'when it starts (ISO 8601)')
      .requiredOption('--end <iso>', 'when it ends (ISO 8601)')
      .option('-c, --component <id>', 'a component it affects (repeat)', collect)
      .option('-m, --message <text>', 'what customers read'),
  ).action(
    async (
      name: string,
      o: Json & { start: string; end: string; component?: string[]; message?: string },
    ) => {
      const m = await call(
        (await api()).POST('/api/v1/maintenances', {
          body: {
            name,
            scheduled_for: o.start,
            scheduled_until: o.end,
            component_ids: o.component ?? [],
            ...(o.message && { body: o.message }),
          },
        }),
      );
      print(m, o.json, () => table(rows(m), ['id', 'name', 'status', 'scheduled_for']));
    },
  );
  for (const [verb, what] of [
    ['start', 'start a maintenance now'],
    ['complete', 'complete a maintenance'],
  ] as const) {
    withJson(
      maintenance
        .command(verb)
        .description(what)
        .argument('<id>')
        .option('-m, --message <text>', 'what customers read'),
    ).action(async (id: string, o: Json & { message?: string }) => {
      const m = await call(
        (await api()).POST(`/api/v1/maintenances/{id}/${verb}`, {
          params: { path: { id } },
          body: { ...(o.message && { body: o.message }) },
        }),
      );
      print(m, o.json, () => table(rows(m), ['id', 'name', 'status']));
    });
  }
}

function rolesCommand(program: Command): void {
  withJson(
    program
      .command('roles')
      .description("show an incident's role holders, or reassign them")
      .argument('<incident-id>')
      .option('--incident-lead <who>', 'the new incident lead')
      .option('--comms-lead <who>', 'the new communications lead')
      .option('--support-lead <who>', 'the new support lead'),
  ).action(
    async (id: string, o: Json & { incidentLead?: string; commsLead?: string; supportLead?: string }) => {
      const client = await api();
      const change = {
        ...(o.incidentLead !== undefined && { incident_lead: o.incidentLead }),
        ...(o.commsLead !== undefined && { comms_lead: o.commsLead }),
        ...(o.supportLead !== undefined && { support_lead: o.supportLead }),
      };
      const params = { path: { id } };
      const roles =
        Object.keys(change).length === 0
          ? await call(client.GET('/api/v1/incidents/{id}/roles', { params }))
          : await call(client.PUT('/api/v1/incidents/{id}/roles', { params, body: change }));
      print(roles, o.json, () => table(rows(roles), ['role', 'holder', 'assigned_by', 'assigned_at']));
    },
  );
}

export function clientCommands(program: Command): void {
  componentCommands(program);
  incidentCommands(program);
  maintenanceCommands(program);
  rolesCommand(program);
}
