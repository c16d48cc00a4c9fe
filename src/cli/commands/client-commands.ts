/** Commands that are clients of the admin API. */
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { type ComponentStatus, componentStatuses, impacts } from '../../domain/components.ts';
import { incidentStatuses } from '../../domain/incidents.ts';
import { type Api, apiClient, call, type Schemas } from '../client.ts';
import { CliError, print, table } from '../output.ts';

type Handler = (api: Api, positionals: string[], values: Values) => Promise<void>;

interface Values {
  json: boolean;
  message?: string;
  status?: string;
  component?: string[];
  impact?: string;
  description?: string;
  group?: string;
  state?: string;
  start?: string;
  end?: string;
}

const options = {
  json: { type: 'boolean', default: false },
  message: { type: 'string', short: 'm' },
  status: { type: 'string' },
  component: { type: 'string', multiple: true, short: 'c' },
  impact: { type: 'string' },
  description: { type: 'string' },
  group: { type: 'string' },
  state: { type: 'string' },
  start: { type: 'string' },
  end: { type: 'string' },
} as const;

function need(value: string | undefined, what: string): string {
  if (!value) throw new CliError(`Missing ${what}.`, 2);
  return value;
}

/** The value if it is one of `allowed`; a usage error naming them otherwise. */
function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new CliError(`Unknown ${what} "${value}". Use one of: ${allowed.join(', ')}.`, 2);
  return found;
}

/** `--component api=major_outage` pairs, as the API's `components` map. */
function componentMap(pairs: string[] | undefined): Record<string, ComponentStatus> {
  const map: Record<string, ComponentStatus> = {};
  for (const pair of pairs ?? []) {
    const [id, status] = pair.split('=');
    if (!id || !status) throw new CliError(`--component takes ID=STATUS, got "${pair}".`, 2);
    map[id] = oneOf(status, componentStatuses, 'component status');
  }
  return map;
}

const id = (value: string | undefined, what: string) => ({ path: { id: need(value, what) } });

const incidentColumns = ['id', 'name', 'status', 'impact', 'created_at'];
const openStatuses = incidentStatuses.filter((s) => s !== 'resolved' && s !== 'postmortem');

function showIncident(i: Schemas['Incident']): string {
  const head = table([i as unknown as Record<string, unknown>], incidentColumns);
  const comps = i.components.length
    ? `\nComponents:\n${table(i.components as unknown as Record<string, unknown>[], ['id', 'name', 'status'])}`
    : '';
  const updates = `\nUpdates:\n${table(i.incident_updates as unknown as Record<string, unknown>[], ['display_at', 'status', 'state', 'audience', 'body'])}`;
  return `${head}${comps}${updates}`;
}

const commands: Record<string, Record<string, Handler>> = {
  component: {
    list: async (api, _p, v) => {
      const list = await call(api.GET('/api/v1/components'));
      print(list, v.json, () =>
        table(list as unknown as Record<string, unknown>[], ['id', 'name', 'status', 'group_id']),
      );
    },
    add: async (api, p, v) => {
      const created = await call(
        api.POST('/api/v1/components', {
          body: {
            name: need(p[0], 'component name'),
            ...(v.description && { description: v.description }),
            ...(v.group && { group_id: v.group }),
            ...(v.status && { status: oneOf(v.status, componentStatuses, 'component status') }),
          },
        }),
      );
      print(created, v.json, () =>
        table([created as unknown as Record<string, unknown>], ['id', 'name', 'status']),
      );
    },
    'set-status': async (api, p, v) => {
      const status = oneOf(need(p[1] ?? v.status, 'status'), componentStatuses, 'component status');
      const updated = await call(
        api.PATCH('/api/v1/components/{id}', { params: id(p[0], 'component id'), body: { status } }),
      );
      print(updated, v.json, () =>
        table([updated as unknown as Record<string, unknown>], ['id', 'name', 'status']),
      );
    },
  },
  incident: {
    list: async (api, _p, v) => {
      const state = oneOf(v.state ?? 'all', ['unresolved', 'resolved', 'all'] as const, 'state');
      const list = await call(api.GET('/api/v1/incidents', { params: { query: { state } } }));
      print(list, v.json, () => table(list as unknown as Record<string, unknown>[], incidentColumns));
    },
    show: async (api, p, v) => {
      const i = await call(api.GET('/api/v1/incidents/{id}', { params: id(p[0], 'incident id') }));
      print(i, v.json, () => showIncident(i));
    },
    declare: async (api, p, v) => {
      const components = componentMap(v.component);
      const i = await call(
        api.POST('/api/v1/incidents', {
          body: {
            name: need(p[0], 'incident name'),
            ...(v.message && { body: v.message }),
            ...(v.status && { status: oneOf(v.status, openStatuses, 'status') }),
            ...(v.impact && { impact_override: oneOf(v.impact, impacts, 'impact') }),
            components,
          },
        }),
      );
      print(i, v.json, () => showIncident(i));
    },
    update: async (api, p, v) => {
      const u = await call(
        api.POST('/api/v1/incidents/{id}/updates', {
          params: id(p[0], 'incident id'),
          body: {
            body: need(v.message, '--message'),
            ...(v.status && { status: oneOf(v.status, incidentStatuses, 'status') }),
            components: componentMap(v.component),
          },
        }),
      );
      print(u, v.json, () => table([u], ['id', 'status', 'state', 'body']));
    },
    resolve: async (api, p, v) => {
      const i = await call(
        api.POST('/api/v1/incidents/{id}/resolve', {
          params: id(p[0], 'incident id'),
          body: { ...(v.message && { body: v.message }), components: componentMap(v.component) },
        }),
      );
      print(i, v.json, () => showIncident(i));
    },
  },
  maintenance: {
    list: async (api, _p, v) => {
      const states = ['upcoming', 'active', 'finished', 'all'] as const;
      const state = oneOf(v.state ?? 'all', states, 'state');
      const list = await call(api.GET('/api/v1/maintenances', { params: { query: { state } } }));
      print(list, v.json, () =>
        table(list as unknown as Record<string, unknown>[], [
          'id',
          'name',
          'status',
          'scheduled_for',
          'scheduled_until',
        ]),
      );
    },
    schedule: async (api, p, v) => {
      const m = await call(
        api.POST('/api/v1/maintenances', {
          body: {
            name: need(p[0], 'maintenance name'),
            scheduled_for: need(v.start, '--start'),
            scheduled_until: need(v.end, '--end'),
            component_ids: v.component ?? [],
            ...(v.message && { body: v.message }),
          },
        }),
      );
      print(m, v.json, () =>
        table([m as unknown as Record<string, unknown>], ['id', 'name', 'status', 'scheduled_for']),
      );
    },
    start: async (api, p, v) => move(api, p, v, '/api/v1/maintenances/{id}/start'),
    complete: async (api, p, v) => move(api, p, v, '/api/v1/maintenances/{id}/complete'),
  },
};

async function move(
  api: Api,
  p: string[],
  v: Values,
  path: '/api/v1/maintenances/{id}/start' | '/api/v1/maintenances/{id}/complete',
): Promise<void> {
  const m = await call(
    api.POST(path, { params: id(p[0], 'maintenance id'), body: { ...(v.message && { body: v.message }) } }),
  );
  print(m, v.json, () => table([m as unknown as Record<string, unknown>], ['id', 'name', 'status']));
}

export async function runClientCommand(config: Config, noun: string, args: string[]): Promise<number> {
  const [verb, ...rest] = args;
  const group = commands[noun] ?? {};
  const handler = verb ? group[verb] : undefined;
  if (!handler) {
    throw new CliError(`Usage: crier ${noun} ${Object.keys(group).join('|')} ...`, 2);
  }
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: typeof options; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true });
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err), 2);
  }
  const api = apiClient({ url: config.clientUrl, token: config.clientToken });
  await handler(api, parsed.positionals, parsed.values as Values);
  return 0;
}
