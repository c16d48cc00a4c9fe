/** Commands that are clients of the admin API. */
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { componentStatuses } from '../../domain/components.ts';
import type { ComponentView, IncidentView, MaintenanceView } from '../../services/views.ts';
import { AdminClient } from '../client.ts';
import { CliError, print, table } from '../output.ts';

type Handler = (client: AdminClient, positionals: string[], values: Values) => Promise<void>;

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

/** `--component api=major_outage` pairs, as the API's `components` map. */
function componentMap(pairs: string[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of pairs ?? []) {
    const [id, status] = pair.split('=');
    if (!id || !status) throw new CliError(`--component takes ID=STATUS, got "${pair}".`, 2);
    if (!(componentStatuses as readonly string[]).includes(status)) {
      throw new CliError(
        `Unknown component status "${status}". Statuses: ${componentStatuses.join(', ')}.`,
        2,
      );
    }
    map[id] = status;
  }
  return map;
}

const incidentColumns = ['id', 'name', 'status', 'impact', 'created_at'];

function showIncident(i: IncidentView): string {
  const head = table([i as unknown as Record<string, unknown>], incidentColumns);
  const comps = i.components.length
    ? `\nComponents:\n${table(i.components as unknown as Record<string, unknown>[], ['id', 'name', 'status'])}`
    : '';
  const updates = `\nUpdates:\n${table(i.incident_updates as unknown as Record<string, unknown>[], ['display_at', 'status', 'state', 'audience', 'body'])}`;
  return `${head}${comps}${updates}`;
}

const commands: Record<string, Record<string, Handler>> = {
  component: {
    list: async (c, _p, v) => {
      const list = await c.request<ComponentView[]>('GET', '/components');
      print(list, v.json, () =>
        table(list as unknown as Record<string, unknown>[], ['id', 'name', 'status', 'group_id']),
      );
    },
    add: async (c, p, v) => {
      const created = await c.request<ComponentView>('POST', '/components', {
        name: need(p[0], 'component name'),
        ...(v.description && { description: v.description }),
        ...(v.group && { group_id: v.group }),
        ...(v.status && { status: v.status }),
      });
      print(created, v.json, () =>
        table([created as unknown as Record<string, unknown>], ['id', 'name', 'status']),
      );
    },
    'set-status': async (c, p, v) => {
      const id = need(p[0], 'component id');
      const status = need(p[1] ?? v.status, 'status');
      const updated = await c.request<ComponentView>('PATCH', `/components/${encodeURIComponent(id)}`, {
        status,
      });
      print(updated, v.json, () =>
        table([updated as unknown as Record<string, unknown>], ['id', 'name', 'status']),
      );
    },
  },
  incident: {
    list: async (c, _p, v) => {
      const list = await c.request<IncidentView[]>(
        'GET',
        `/incidents?state=${encodeURIComponent(v.state ?? 'all')}`,
      );
      print(list, v.json, () => table(list as unknown as Record<string, unknown>[], incidentColumns));
    },
    show: async (c, p, v) => {
      const i = await c.request<IncidentView>(
        'GET',
        `/incidents/${encodeURIComponent(need(p[0], 'incident id'))}`,
      );
      print(i, v.json, () => showIncident(i));
    },
    declare: async (c, p, v) => {
      const components = componentMap(v.component);
      const i = await c.request<IncidentView>('POST', '/incidents', {
        name: need(p[0], 'incident name'),
        ...(v.message && { body: v.message }),
        ...(v.status && { status: v.status }),
        ...(v.impact && { impact_override: v.impact }),
        components,
      });
      print(i, v.json, () => showIncident(i));
    },
    update: async (c, p, v) => {
      const id = need(p[0], 'incident id');
      const u = await c.request<Record<string, unknown>>(
        'POST',
        `/incidents/${encodeURIComponent(id)}/updates`,
        {
          body: need(v.message, '--message'),
          ...(v.status && { status: v.status }),
          components: componentMap(v.component),
        },
      );
      print(u, v.json, () => table([u], ['id', 'status', 'state', 'body']));
    },
    resolve: async (c, p, v) => {
      const id = need(p[0], 'incident id');
      const i = await c.request<IncidentView>('POST', `/incidents/${encodeURIComponent(id)}/resolve`, {
        ...(v.message && { body: v.message }),
        components: componentMap(v.component),
      });
      print(i, v.json, () => showIncident(i));
    },
  },
  maintenance: {
    list: async (c, _p, v) => {
      const list = await c.request<MaintenanceView[]>(
        'GET',
        `/maintenances?state=${encodeURIComponent(v.state ?? 'all')}`,
      );
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
    schedule: async (c, p, v) => {
      const m = await c.request<MaintenanceView>('POST', '/maintenances', {
        name: need(p[0], 'maintenance name'),
        scheduled_for: need(v.start, '--start'),
        scheduled_until: need(v.end, '--end'),
        component_ids: v.component ?? [],
        ...(v.message && { body: v.message }),
      });
      print(m, v.json, () =>
        table([m as unknown as Record<string, unknown>], ['id', 'name', 'status', 'scheduled_for']),
      );
    },
    start: async (c, p, v) => move(c, p, v, 'start'),
    complete: async (c, p, v) => move(c, p, v, 'complete'),
  },
};

async function move(c: AdminClient, p: string[], v: Values, verb: string): Promise<void> {
  const id = need(p[0], 'maintenance id');
  const m = await c.request<MaintenanceView>('POST', `/maintenances/${encodeURIComponent(id)}/${verb}`, {
    ...(v.message && { body: v.message }),
  });
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
  const client = new AdminClient({ url: config.clientUrl, token: config.clientToken });
  await handler(client, parsed.positionals, parsed.values as Values);
  return 0;
}
