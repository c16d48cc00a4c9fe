/**
 * A page read through Cachet's JSON API (2.x, `/api/v1`): components and
 * component groups, incidents with their updates, schedules (maintenances)
 * and verified subscribers, every list paged by `page`/`per_page` until
 * `meta.pagination` says the last page was read. The key, when given, goes
 * as `X-Cachet-Token`. Cachet's times carry no zone and are read as UTC.
 */
import { z } from 'zod';
import type { ComponentStatus } from '../../domain/components.ts';
import type { IncidentStatus } from '../../domain/incidents.ts';
import type { MaintenanceStatus } from '../../domain/maintenances.ts';
import type { SourceIncident, SourceMaintenance, SourcePage } from '../../services/import/page.ts';
import { readAll, type SourceApi, utc } from './fetch.ts';

const PER_PAGE = 100;
const cachetId = z.union([z.number().int(), z.string().min(1)]).transform(String);
const instant = z.string().transform(utc);
const maybeInstant = z
  .string()
  .nullish()
  .transform((s) => (s ? utc(s) : null));

const Paged = <T extends z.ZodType>(item: T) =>
  z.object({
    meta: z.object({ pagination: z.object({ current_page: z.number(), total_pages: z.number() }) }).nullish(),
    data: z.array(item),
  });

const Group = z.object({ id: cachetId, name: z.string().min(1).max(255), order: z.number().int().nullish() });
const Component = z.object({
  id: cachetId,
  name: z.string().min(1).max(255),
  description: z.string().max(2000).nullish(),
  status: z.coerce.number().int().min(0).max(4),
  order: z.number().int().nullish(),
  group_id: z.union([z.number(), z.string()]).nullish(),
  enabled: z.union([z.boolean(), z.number()]).nullish(),
  created_at: instant,
  updated_at: instant,
});
const Incident = z.object({
  id: cachetId,
  component_id: z.union([z.number(), z.string()]).nullish(),
  name: z.string().min(1).max(255),
  status: z.coerce.number().int().min(0).max(4),
  visible: z.union([z.boolean(), z.number()]).nullish(),
  message: z.string().max(20_000).nullish(),
  occurred_at: maybeInstant,
  created_at: instant,
  updated_at: instant,
});
const Update = z.object({
  id: cachetId,
  status: z.coerce.number().int().min(1).max(4),
  message: z.string().max(20_000).nullish(),
  created_at: instant,
  updated_at: instant,
});
const Schedule = z.object({
  id: cachetId,
  name: z.string().min(1).max(255),
  message: z.string().max(20_000).nullish(),
  status: z.coerce.number().int().min(0).max(2),
  scheduled_at: instant,
  completed_at: maybeInstant,
  created_at: instant,
  updated_at: instant,
  components: z.array(z.object({ id: cachetId })).nullish(),
});
const Subscriber = z.object({
  id: cachetId,
  email: z.string().nullish(),
  phone_number: z.string().nullish(),
  verified_at: z.string().nullish(),
  global: z.union([z.boolean(), z.number()]).nullish(),
  subscriptions: z.array(z.object({ component_id: cachetId })).nullish(),
});

const componentStatus: Record<number, ComponentStatus> = {
  0: 'operational',
  1: 'operational',
  2: 'degraded_performance',
  3: 'partial_outage',
  4: 'major_outage',
};
const incidentStatus: Record<number, IncidentStatus> = {
  1: 'investigating',
  2: 'identified',
  3: 'monitoring',
  4: 'resolved',
};
const scheduleStatus: Record<number, MaintenanceStatus> = {
  0: 'scheduled',
  1: 'in_progress',
  2: 'completed',
};

export interface CachetOptions {
  /** The Cachet site, as in https://status.example.com (its API is under /api/v1). */
  base: string;
  key: string | undefined;
  timeoutMs?: number;
}

export async function readCachet(options: CachetOptions): Promise<SourcePage> {
  const root = options.base.replace(/\/+$/, '');
  const api: SourceApi = {
    base: `${root}/api/v1`,
    headers: options.key ? { 'x-cachet-token': options.key } : {},
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  };
  const all = <T extends z.ZodType>(path: string, item: T) =>
    readAll(
      api,
      (n) => `${path}${path.includes('?') ? '&' : '?'}page=${n + 1}&per_page=${PER_PAGE}`,
      Paged(item),
      (answer) => ({
        items: answer.data as (z.infer<T> & { id: string })[],
        more: answer.meta
          ? answer.meta.pagination.current_page < answer.meta.pagination.total_pages
          : answer.data.length >= PER_PAGE,
      }),
    );
  const groups = await all('/components/groups', Group);
  const components = await all('/components', Component);
  const incidents = await all('/incidents', Incident);
  const schedules = await all('/schedules', Schedule);
  const subscribers = await all('/subscribers', Subscriber);
  const left: Record<string, number> = {};
  const leave = (why: string) => {
    left[why] = (left[why] ?? 0) + 1;
  };
  const page: SourcePage = {
    source: `cachet:${root}`,
    keepIds: false,
    groups: groups.map((g, at) => ({
      id: g.id,
      name: g.name,
      description: null,
      position: g.order ?? at + 1,
    })),
    components: components.map((c, at) => ({
      id: c.id,
      name: c.name,
      description: c.description || null,
      status: componentStatus[c.status] ?? 'operational',
      group_id: c.group_id && String(c.group_id) !== '0' ? String(c.group_id) : null,
      position: c.order ?? at + 1,
      showcase: true,
      only_show_if_degraded: false,
      start_date: null,
      created_at: c.created_at,
      updated_at: c.updated_at,
    })),
    incidents: [],
    maintenances: schedules.map(maintenanceOf),
    subscribers: [],
    left,
  };
  for (const i of incidents) {
    if (i.visible === false || i.visible === 0) leave('hidden incidents');
    else if (i.status === 0) leave('scheduled incidents of Cachet before 2.4 (schedules are taken)');
    else {
      const updates = await all(`/incidents/${encodeURIComponent(i.id)}/updates`, Update);
      page.incidents.push(incidentOf(i, updates));
    }
  }
  for (const s of subscribers) {
    if (!s.verified_at) leave('unverified subscribers');
    else {
      const component_ids = s.global ? [] : (s.subscriptions ?? []).map((x) => x.component_id);
      if (s.email) page.subscribers.push({ id: s.id, contact: { email: s.email }, component_ids });
      else if (s.phone_number)
        page.subscribers.push({ id: s.id, contact: { phone: s.phone_number, country: null }, component_ids });
      else leave('subscribers without an address');
    }
  }
  return page;
}

function incidentOf(i: z.infer<typeof Incident>, list: z.infer<typeof Update>[]): SourceIncident {
  const updates = [...list].sort((a, b) => a.created_at.localeCompare(b.created_at));
  const status = incidentStatus[i.status] ?? 'investigating';
  const firstAt = (s: IncidentStatus) =>
    updates.find((u) => incidentStatus[u.status] === s)?.created_at ?? null;
  // Cachet's incident carries its first words itself; its updates follow.
  const opening = {
    id: `${i.id}-opening`,
    status: updates.length > 0 ? ('investigating' as const) : status,
    body: i.message ?? '',
    created_at: i.occurred_at ?? i.created_at,
    updated_at: i.created_at,
    display_at: i.occurred_at ?? i.created_at,
    deliver_notifications: true,
    affected_components: [],
  };
  return {
    id: i.id,
    name: i.name,
    status,
    impact: 'minor',
    impact_override: null,
    created_at: i.created_at,
    updated_at: i.updated_at,
    started_at: i.occurred_at ?? i.created_at,
    monitoring_at: firstAt('monitoring'),
    resolved_at: status === 'resolved' ? (firstAt('resolved') ?? i.updated_at) : null,
    component_ids: i.component_id && String(i.component_id) !== '0' ? [String(i.component_id)] : [],
    updates: [
      opening,
      ...updates.map((u) => ({
        id: u.id,
        status: incidentStatus[u.status] ?? 'investigating',
        body: u.message ?? '',
        created_at: u.created_at,
        updated_at: u.updated_at,
        display_at: u.created_at,
        deliver_notifications: true,
        affected_components: [],
      })),
    ],
  };
}

function maintenanceOf(s: z.infer<typeof Schedule>): SourceMaintenance {
  const status = scheduleStatus[s.status] ?? 'scheduled';
  // A schedule without an end is given an hour, the shortest window Cachet's form offers.
  const until = s.completed_at ?? new Date(Date.parse(s.scheduled_at) + 3_600_000).toISOString();
  return {
    id: s.id,
    name: s.name,
    status,
    impact: 'maintenance',
    scheduled_for: s.scheduled_at,
    scheduled_until: until,
    auto_start: true,
    auto_complete: true,
    started_at: status === 'scheduled' ? null : s.scheduled_at,
    completed_at: status === 'completed' ? until : null,
    created_at: s.created_at,
    updated_at: s.updated_at,
    component_ids: (s.components ?? []).map((c) => c.id),
    updates: [{ id: `${s.id}-notice`, status, body: s.message ?? '', created_at: s.created_at }],
  };
}
