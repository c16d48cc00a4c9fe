/**
 * A stand-in for Statuspage's management API (api.statuspage.io/v1), serving
 * the documented endpoints and paging for one realistic page: 4 component
 * groups, 20 components, 200 incidents with their updates, 3 scheduled
 * maintenances, and 5,000 subscribers (email, SMS, webhook, and Slack ones
 * Crier leaves behind). It refuses a request without `Authorization: OAuth
 * KEY`, records every path asked, and also answers the page's public
 * `/api/v2/summary.json`, written out from the same facts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PAGE_ID = 'acmepage0001';
export const API_KEY = 'sp-test-key-7f3a';

type Status = 'operational' | 'degraded_performance' | 'partial_outage' | 'major_outage';
const severity: Status[] = ['operational', 'degraded_performance', 'partial_outage', 'major_outage'];
const worst = (list: Status[]) =>
  list.reduce((a, b) => (severity.indexOf(b) > severity.indexOf(a) ? b : a), 'operational');
const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(9, '0')}`;
const at = (daysAgo: number, hours = 0) =>
  new Date(Date.parse('2026-11-30T12:00:00Z') - daysAgo * 86_400_000 + hours * 3_600_000).toISOString();

export interface Fixture {
  groups: Record<string, unknown>[];
  components: Record<string, unknown>[];
  incidents: Record<string, unknown>[];
  subscribers: Record<string, unknown>[];
  summary: Record<string, unknown>;
}

export function statuspageFixture(now = new Date()): Fixture {
  const componentStatus = (n: number): Status =>
    n === 3 ? 'partial_outage' : n === 7 ? 'degraded_performance' : 'operational';
  const components = Array.from({ length: 20 }, (_, n) => ({
    id: id('cmp', n),
    page_id: PAGE_ID,
    group_id: n < 16 ? id('grp', Math.floor(n / 4)) : null,
    created_at: at(400),
    updated_at: at(1),
    group: false,
    name: `Service <${n}>`,
    description: n % 2 ? `What service ${n} does` : null,
    position: (n % 4) + 1,
    status: componentStatus(n),
    showcase: true,
    only_show_if_degraded: false,
    automation_email: `component+${n}@notifications.statuspage.io`,
    start_date: '2025-01-01',
  }));
  const groups = Array.from({ length: 4 }, (_, g) => ({
    id: id('grp', g),
    page_id: PAGE_ID,
    name: `Region ${g}`,
    description: null,
    components: components.filter((c) => c.group_id === id('grp', g)).map((c) => c.id),
    position: g + 1,
    created_at: at(400),
    updated_at: at(1),
  }));
  const ref = (n: number) => {
    const c = components[n];
    return { id: c?.id, name: c?.name, status: c?.status };
  };
  const update = (
    inc: string,
    k: number,
    status: string,
    created: string,
    body: string,
    affected: unknown[] = [],
  ) => ({
    id: `${inc}u${k}`,
    incident_id: inc,
    status,
    body,
    created_at: created,
    updated_at: created,
    display_at: created,
    deliver_notifications: true,
    affected_components: affected.length ? affected : null,
    custom_tweet: null,
    tweet_id: null,
  });
  const incidents: Record<string, unknown>[] = [];
  for (let n = 0; n < 200; n += 1) {
    const inc = id('inc', n);
    const start = at(n * 2 + 1);
    const open = n === 0;
    const updates = open
      ? [
          update(inc, 0, 'investigating', start, 'We are looking into errors on <b>Service 3</b>.', [
            {
              code: id('cmp', 3),
              name: 'Service <3>',
              old_status: 'operational',
              new_status: 'partial_outage',
            },
          ]),
          update(inc, 1, 'identified', at(n * 2 + 1, 1), 'We found the cause & are fixing it.'),
        ]
      : [
          update(inc, 0, 'investigating', start, `Incident ${n}: investigating.`),
          update(inc, 1, 'monitoring', at(n * 2 + 1, 1), `Incident ${n}: a fix is out.`),
          update(inc, 2, 'resolved', at(n * 2 + 1, 2), `Incident ${n}: resolved.`),
        ];
    incidents.push({
      id: inc,
      name: open ? 'Errors on Service 3' : `Past incident ${n}`,
      status: open ? 'identified' : 'resolved',
      impact: open ? 'major' : n % 3 === 0 ? 'minor' : 'none',
      impact_override: null,
      created_at: start,
      updated_at: open ? at(n * 2 + 1, 1) : at(n * 2 + 1, 2),
      started_at: start,
      monitoring_at: open ? null : at(n * 2 + 1, 1),
      resolved_at: open ? null : at(n * 2 + 1, 2),
      shortlink: `https://stspg.io/${inc}`,
      page_id: PAGE_ID,
      scheduled_for: null,
      scheduled_until: null,
      components: open ? [ref(3)] : [ref(n % 20)],
      incident_updates: [...updates].reverse(),
    });
  }
  const hour = 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const windows = [
    { status: 'scheduled', from: now.getTime() + 48 * hour, to: now.getTime() + 50 * hour },
    { status: 'in_progress', from: now.getTime() - hour, to: now.getTime() + 5 * hour },
    { status: 'completed', from: now.getTime() - 72 * hour, to: now.getTime() - 70 * hour },
  ];
  windows.forEach((w, n) => {
    const mnt = id('mnt', n);
    const created = iso(w.from - 96 * hour);
    const updates = [update(mnt, 0, 'scheduled', created, `Database upgrade ${n}.`)];
    if (w.status !== 'scheduled') updates.push(update(mnt, 1, 'in_progress', iso(w.from), 'Under way.'));
    if (w.status === 'completed') updates.push(update(mnt, 2, 'completed', iso(w.to), 'Done.'));
    incidents.push({
      id: mnt,
      name: `Database upgrade ${n}`,
      status: w.status,
      impact: 'maintenance',
      impact_override: null,
      created_at: created,
      updated_at: updates.at(-1)?.created_at,
      started_at: created,
      monitoring_at: null,
      resolved_at: w.status === 'completed' ? iso(w.to) : null,
      shortlink: `https://stspg.io/${mnt}`,
      page_id: PAGE_ID,
      scheduled_for: iso(w.from),
      scheduled_until: iso(w.to),
      scheduled_auto_in_progress: true,
      scheduled_auto_completed: true,
      components: [ref(16 + n)],
      incident_updates: [...updates].reverse(),
    });
  });
  // Statuspage lists newest first.
  incidents.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));

  const subscribers: Record<string, unknown>[] = [];
  for (let n = 0; n < 5000; n += 1) {
    const base = {
      id: id('sub', n),
      created_at: at(30),
      quarantined_at: null,
      purge_at: null,
      components: n % 5 === 0 ? [id('cmp', n % 20)] : [],
    };
    if (n < 4000)
      subscribers.push({
        ...base,
        mode: 'email',
        email: n === 17 ? 'not-an-address' : `customer${n}@example.com`,
      });
    else if (n < 4500)
      subscribers.push({
        ...base,
        mode: 'sms',
        phone_number: `201555${String(n).padStart(4, '0')}`,
        phone_country: 'US',
        display_phone_number: `+1 201-555-${n}`,
      });
    else if (n < 4900)
      subscribers.push({
        ...base,
        mode: 'webhook',
        endpoint: `https://hooks.example.com/status/${n}`,
        email: `ops${n}@example.com`,
      });
    else
      subscribers.push({
        ...base,
        mode: 'slack',
        obfuscated_channel_name: '#st***s',
        workspace_name: 'Acme',
      });
  }

  const v2Component = (c: (typeof components)[number]) => ({ ...c, automation_email: undefined });
  const summary = {
    page: {
      id: PAGE_ID,
      name: 'Acme Cloud',
      url: 'https://status.acme.example',
      time_zone: 'Etc/UTC',
      updated_at: at(1),
    },
    components: [
      ...groups.map((g) => ({
        id: g.id,
        name: g.name,
        status: worst(components.filter((c) => c.group_id === g.id).map((c) => c.status)),
        group: true,
        group_id: null,
        components: g.components,
        position: g.position,
      })),
      ...components.map(v2Component),
    ],
    incidents: incidents.filter((i) => i.status === 'identified'),
    scheduled_maintenances: incidents.filter((i) => i.status === 'in_progress' || i.status === 'scheduled'),
    status: { indicator: 'major', description: 'Partial System Outage' },
  };
  return { groups, components, incidents, subscribers, summary };
}

export interface StandIn {
  /** The API's root, as `--api-url` takes it. */
  url: string;
  /** Every path and query asked, in order. */
  asked: string[];
  fixture: Fixture;
  close(): Promise<void>;
}

/** Serves the fixture as Statuspage does: `page`/`per_page` (from 1), `page`/`limit` for incidents, `page` from 0 for subscribers. */
export async function startStatuspageStandIn(fixture = statuspageFixture()): Promise<StandIn> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    asked.push(`${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v2/summary.json') return send(200, fixture.summary);
    if (req.headers.authorization !== `OAuth ${API_KEY}`)
      return send(401, { error: 'Could not authenticate' });
    const prefix = `/v1/pages/${PAGE_ID}/`;
    if (!url.pathname.startsWith(prefix)) return send(404, { error: 'Not found' });
    const what = url.pathname.slice(prefix.length);
    const int = (name: string, fallback: number) => Number(url.searchParams.get(name) ?? fallback);
    const slice = (list: unknown[], from: number, size: number) =>
      list.slice(from * size, from * size + size);
    switch (what) {
      case 'component-groups':
        return send(200, slice(fixture.groups, int('page', 1) - 1, int('per_page', 100)));
      case 'components': {
        const all = [
          ...fixture.groups.map((g) => ({ ...g, group: true, status: 'operational', group_id: null })),
          ...fixture.components,
        ];
        return send(200, slice(all, int('page', 1) - 1, Math.min(int('per_page', 100), 100)));
      }
      case 'incidents':
        return send(200, slice(fixture.incidents, int('page', 1) - 1, Math.min(int('limit', 100), 100)));
      case 'subscribers':
        return send(200, slice(fixture.subscribers, int('page', 0), Math.min(int('limit', 100), 100)));
      default:
        return send(404, { error: 'Not found' });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    asked,
    fixture,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What a summary says, without what differs by nature between two products (ids of the page, timestamps of edits). */
export function summaryFacts(summary: unknown) {
  const s = summary as {
    components: {
      id: string;
      name: string;
      status: string;
      group: boolean;
      group_id: string | null;
      components?: string[];
    }[];
    incidents: {
      id: string;
      name: string;
      status: string;
      impact: string;
      incident_updates: { id: string; status: string; body: string }[];
    }[];
    scheduled_maintenances: {
      id: string;
      name: string;
      status: string;
      scheduled_for: string;
      scheduled_until: string;
    }[];
    status: unknown;
  };
  const byId = <T extends { id: string }>(list: T[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
  return {
    components: byId(s.components).map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      group: c.group,
      group_id: c.group_id,
      components: c.group ? [...(c.components ?? [])].sort() : undefined,
    })),
    incidents: byId(s.incidents).map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status,
      impact: i.impact,
      updates: i.incident_updates.map((u) => ({ id: u.id, status: u.status, body: u.body })),
    })),
    scheduled_maintenances: byId(s.scheduled_maintenances).map((m) => ({
      id: m.id,
      name: m.name,
      status: m.status,
      scheduled_for: new Date(m.scheduled_for).toISOString(),
      scheduled_until: new Date(m.scheduled_until).toISOString(),
    })),
    status: s.status,
  };
}
