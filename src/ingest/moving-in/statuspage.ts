/**
 * A page read through Statuspage's management API (api.statuspage.io/v1),
 * its documented endpoints and paging: component groups and components
 * (`page`, `per_page`), incidents with their updates (`page`, `limit`; the
 * scheduled ones are the maintenances), and the active subscribers
 * (`page` from 0, `limit`). The key goes as `Authorization: OAuth KEY`.
 */
import { z } from 'zod';
import { componentStatuses, impacts } from '../../domain/components.ts';
import { incidentStatuses } from '../../domain/incidents.ts';
import type { MaintenanceStatus } from '../../domain/maintenances.ts';
import type {
  SourceComponent,
  SourceIncident,
  SourceMaintenance,
  SourcePage,
  SourceSubscriber,
} from '../../services/import/page.ts';
import { readAll, type SourceApi, utc } from './fetch.ts';

const PER_PAGE = 100;

const instant = z.string().transform(utc);
const maybeInstant = z
  .string()
  .nullish()
  .transform((s) => (s ? utc(s) : null));

const Group = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(255),
  description: z.string().max(2000).nullish(),
  components: z.array(z.string()).nullish(),
  position: z.number().int().nullish(),
});

const Component = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(255),
  description: z.string().max(2000).nullish(),
  status: z.enum(componentStatuses),
  group_id: z.string().nullish(),
  group: z.boolean().nullish(),
  position: z.number().int().nullish(),
  showcase: z.boolean().nullish(),
  only_show_if_degraded: z.boolean().nullish(),
  start_date: z.iso.date().nullish(),
  created_at: instant,
  updated_at: instant,
});

const maintenanceStatuses = ['scheduled', 'in_progress', 'verifying', 'completed'] as const;

const IncidentUpdate = z.object({
  id: z.string().min(1),
  status: z.enum([...incidentStatuses, ...maintenanceStatuses]),
  body: z.string().max(20_000).nullish(),
  created_at: instant,
  updated_at: instant,
  display_at: maybeInstant,
  deliver_notifications: z.boolean().nullish(),
  affected_components: z
    .array(z.object({ code: z.string(), name: z.string(), old_status: z.string(), new_status: z.string() }))
    .nullish(),
});

const Incident = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(255),
  status: z.enum([...incidentStatuses, ...maintenanceStatuses]),
  impact: z.enum([...impacts, 'maintenance']),
  impact_override: z.enum([...impacts, 'maintenance']).nullish(),
  created_at: instant,
  updated_at: instant,
  started_at: maybeInstant,
  monitoring_at: maybeInstant,
  resolved_at: maybeInstant,
  scheduled_for: maybeInstant,
  scheduled_until: maybeInstant,
  scheduled_auto_in_progress: z.boolean().nullish(),
  scheduled_auto_completed: z.boolean().nullish(),
  components: z.array(z.object({ id: z.string() })).nullish(),
  incident_updates: z.array(IncidentUpdate).nullish(),
});

const Subscriber = z.object({
  id: z.string().min(1),
  mode: z.string(),
  email: z.string().nullish(),
  endpoint: z.string().nullish(),
  phone_number: z.string().nullish(),
  phone_country: z.string().nullish(),
  components: z.array(z.string()).nullish(),
  quarantined_at: z.string().nullish(),
});

export interface StatuspageOptions {
  base: string;
  pageId: string;
  key: string;
  timeoutMs?: number;
}

const list = <T extends z.ZodType>(item: T) => z.array(item);
const byPage = <T>(items: T[]) => ({ items, more: items.length >= PER_PAGE });

export async function readStatuspage(options: StatuspageOptions): Promise<SourcePage> {
  const api: SourceApi = {
    base: options.base.replace(/\/+$/, ''),
    headers: { authorization: `OAuth ${options.key}` },
    ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
  };
  const page = `/pages/${encodeURIComponent(options.pageId)}`;
  const [groups, components, incidents, subscribers] = [
    await readAll(
      api,
      (n) => `${page}/component-groups?page=${n + 1}&per_page=${PER_PAGE}`,
      list(Group),
      byPage,
    ),
    await readAll(
      api,
      (n) => `${page}/components?page=${n + 1}&per_page=${PER_PAGE}`,
      list(Component),
      byPage,
    ),
    await readAll(
      api,
      (n) => `${page}/incidents?page=${n + 1}&per_page=${PER_PAGE}&limit=${PER_PAGE}`,
      list(Incident),
      byPage,
    ),
    await readAll(
      api,
      (n) => `${page}/subscribers?page=${n}&per_page=${PER_PAGE}&limit=${PER_PAGE}`,
      list(Subscriber),
      byPage,
    ),
  ];
  const left: Record<string, number> = {};
  const leave = (why: string) => {
    left[why] = (left[why] ?? 0) + 1;
  };
  const isMaintenance = (i: z.infer<typeof Incident>) =>
    maintenanceStatuses.some((s) => s === i.status) && i.scheduled_for !== null && i.scheduled_until !== null;
  const result: SourcePage = {
    source: `statuspage:${options.pageId}`,
    keepIds: true,
    groups: groups.map((g, at) => ({
      id: g.id,
      name: g.name,
      description: g.description ?? null,
      position: g.position ?? at + 1,
    })),
    components: components.filter((c) => c.group !== true).map(componentOf),
    incidents: [],
    maintenances: [],
    subscribers: [],
    left,
  };
  // A group lists its members; a member names its group: either is enough.
  for (const g of groups) {
    for (const member of g.components ?? []) {
      const c = result.components.find((x) => x.id === member);
      if (c && c.group_id === null) c.group_id = g.id;
    }
  }
  for (const i of incidents) {
    if (isMaintenance(i)) result.maintenances.push(maintenanceOf(i));
    else if (maintenanceStatuses.some((s) => s === i.status)) leave('scheduled incidents without a window');
    else result.incidents.push(incidentOf(i));
  }
  for (const s of subscribers) {
    const subscriber = subscriberOf(s);
    if (typeof subscriber === 'string') leave(subscriber);
    else result.subscribers.push(subscriber);
  }
  return result;
}

function componentOf(c: z.infer<typeof Component>, at: number): SourceComponent {
  return {
    id: c.id,
    name: c.name,
    description: c.description ?? null,
    status: c.status,
    group_id: c.group_id ?? null,
    position: c.position ?? at + 1,
    showcase: c.showcase ?? true,
    only_show_if_degraded: c.only_show_if_degraded ?? false,
    start_date: c.start_date ?? null,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

const oldestFirst = <T extends { created_at: string }>(list: T[]) =>
  [...list].sort((a, b) => a.created_at.localeCompare(b.created_at));

function incidentOf(i: z.infer<typeof Incident>): SourceIncident {
  const asIncident = (s: string) => incidentStatuses.find((x) => x === s) ?? 'investigating';
  const asImpact = (s: string | null | undefined) => impacts.find((x) => x === s) ?? null;
  return {
    id: i.id,
    name: i.name,
    status: asIncident(i.status),
    impact: asImpact(i.impact) ?? 'none',
    impact_override: asImpact(i.impact_override),
    created_at: i.created_at,
    updated_at: i.updated_at,
    started_at: i.started_at ?? i.created_at,
    monitoring_at: i.monitoring_at,
    resolved_at: i.resolved_at,
    component_ids: (i.components ?? []).map((c) => c.id),
    updates: oldestFirst(i.incident_updates ?? []).map((u) => ({
      id: u.id,
      status: asIncident(u.status),
      body: u.body ?? '',
      created_at: u.created_at,
      updated_at: u.updated_at,
      display_at: u.display_at ?? u.created_at,
      deliver_notifications: u.deliver_notifications ?? true,
      affected_components: u.affected_components ?? [],
    })),
  };
}

function maintenanceOf(i: z.infer<typeof Incident>): SourceMaintenance {
  const asStatus = (s: string): MaintenanceStatus => maintenanceStatuses.find((x) => x === s) ?? 'scheduled';
  const updates = oldestFirst(i.incident_updates ?? []);
  const at = (s: string) => updates.find((u) => u.status === s)?.created_at ?? null;
  const impact = impacts.find((x) => x === i.impact) ?? 'maintenance';
  return {
    id: i.id,
    name: i.name,
    status: asStatus(i.status),
    impact,
    scheduled_for: i.scheduled_for ?? i.created_at,
    scheduled_until: i.scheduled_until ?? i.created_at,
    auto_start: i.scheduled_auto_in_progress ?? true,
    auto_complete: i.scheduled_auto_completed ?? true,
    started_at: at('in_progress'),
    completed_at: i.status === 'completed' ? (i.resolved_at ?? at('completed') ?? i.updated_at) : null,
    created_at: i.created_at,
    updated_at: i.updated_at,
    component_ids: (i.components ?? []).map((c) => c.id),
    updates: updates.map((u) => ({
      id: u.id,
      status: asStatus(u.status),
      body: u.body ?? '',
      created_at: u.created_at,
    })),
  };
}

/** A subscriber Crier can take, or why not. */
function subscriberOf(s: z.infer<typeof Subscriber>): SourceSubscriber | string {
  if (s.quarantined_at) return 'quarantined subscribers';
  const component_ids = s.components ?? [];
  switch (s.mode) {
    case 'email':
      return s.email
        ? { id: s.id, contact: { email: s.email }, component_ids }
        : 'email subscribers without an address';
    case 'sms':
      return s.phone_number
        ? { id: s.id, contact: { phone: s.phone_number, country: s.phone_country ?? null }, component_ids }
        : 'SMS subscribers without a number';
    case 'webhook':
      return s.endpoint
        ? { id: s.id, contact: { webhook: s.endpoint }, component_ids }
        : 'webhook subscribers without an endpoint';
    default:
      return `${s.mode} subscribers (not carried over: they subscribe again on Crier's page)`;
  }
}
