/** Reads of incidents with their components and timeline. */
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { forUpdate } from '../../store/locks.ts';
import type { IncidentRow } from '../../store/schema.ts';
import { deadlinesOf } from '../cadence/deadlines.ts';
import { offsetOf, type Page, type Pagination } from '../pagination.ts';
import { componentView, type IncidentView, incidentView, updateView } from '../views.ts';
import { keepsOwnState } from './drill-state.ts';

export async function requireIncident(db: Db, id: string): Promise<IncidentRow> {
  return readIncident(db, id, false);
}

/**
 * Reads an incident to change it. On PostgreSQL the row stays locked until the
 * transaction ends, so two concurrent updates apply one after the other and
 * neither is lost; SQLite runs one write transaction at a time anyway.
 */
export async function lockIncident(db: Db, id: string): Promise<IncidentRow> {
  return readIncident(db, id, true);
}

async function readIncident(db: Db, id: string, lock: boolean): Promise<IncidentRow> {
  const query = db.selectFrom('incidents').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  if (!row) throw new CrierError('incident_not_found', `No incident has the id ${id}.`, { id });
  return row;
}

export interface IncidentReadOptions {
  /** Only updates for these audiences, and only published ones (what a page shows). */
  publishedFor?: string | readonly string[];
}

export async function incidentViews(
  db: Db,
  rows: readonly IncidentRow[],
  options: IncidentReadOptions = {},
): Promise<IncidentView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  let updatesQuery = db
    .selectFrom('incident_updates')
    .selectAll()
    .where('incident_id', 'in', ids)
    .orderBy('display_at', 'desc')
    .orderBy('created_at', 'desc');
  if (options.publishedFor !== undefined) {
    const audiences =
      typeof options.publishedFor === 'string' ? [options.publishedFor] : options.publishedFor;
    updatesQuery = updatesQuery.where('state', '=', 'published').where('audience', 'in', audiences);
  }
  const updates = await updatesQuery.execute();
  const links = await db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .selectAll('components')
    .select(['incident_components.incident_id', 'incident_components.drill_status'])
    .where('incident_components.incident_id', 'in', ids)
    .orderBy('components.position')
    .execute();
  const roles = await db.selectFrom('incident_roles').selectAll().where('incident_id', 'in', ids).execute();
  const deadlines = options.publishedFor === undefined ? await deadlinesOf(db, ids) : [];
  const lastResort =
    options.publishedFor === undefined
      ? await db
          .selectFrom('update_decisions')
          .innerJoin('incident_updates', 'incident_updates.id', 'update_decisions.update_id')
          .select([
            'incident_updates.incident_id',
            'update_decisions.update_id',
            'update_decisions.actor',
            'update_decisions.reason',
            'update_decisions.at',
          ])
          .where('incident_updates.incident_id', 'in', ids)
          .where('update_decisions.basis', '=', 'last_resort')
          .orderBy('update_decisions.id')
          .execute()
      : [];
  return rows.map((row) =>
    incidentView(
      row,
      links
        .filter((l) => l.incident_id === row.id)
        // A drill or a private incident shows its components in its own state; the public component never moved.
        .map(({ drill_status, ...c }) =>
          componentView(keepsOwnState(row) && drill_status !== null ? { ...c, status: drill_status } : c),
        ),
      updates.filter((u) => u.incident_id === row.id).map(updateView),
      {
        incident_lead:
          roles.find((r) => r.incident_id === row.id && r.role === 'incident_lead')?.holder ?? null,
        comms_lead: roles.find((r) => r.incident_id === row.id && r.role === 'comms_lead')?.holder ?? null,
        support_lead:
          roles.find((r) => r.incident_id === row.id && r.role === 'support_lead')?.holder ?? null,
      },
      lastResort
        .filter((d) => d.incident_id === row.id)
        .map(({ update_id, actor, reason, at }) => ({ update_id, actor, reason, at })),
      deadlines.filter((d) => d.incident_id === row.id),
    ),
  );
}

export async function getIncident(
  db: Db,
  id: string,
  options: IncidentReadOptions = {},
): Promise<IncidentView> {
  const row = await requireIncident(db, id);
  const [view] = await incidentViews(db, [row], options);
  // incidentViews gives one view per row: this never throws.
  if (view === undefined) throw new Error(`no view of incident ${id}`);
  return view;
}

/**
 * The incidents the public page shows: those with a published `public`
 * update, never a drill nor a private incident. Add the columns to select.
 */
export function publicIncidents(db: Db) {
  const published = db
    .selectFrom('incident_updates')
    .select('incident_id')
    .where('state', '=', 'published')
    .where('audience', '=', 'public');
  return db
    .selectFrom('incidents')
    .where('drill', '=', 0)
    .where('audience', 'is', null)
    .where('id', 'in', published);
}

/**
 * The incidents an audience's private page shows: the public ones and those
 * with a published update for the audience (its private incidents among
 * them), never a drill nor another audience's private incident.
 */
export function audienceIncidents(db: Db, audience: string) {
  const published = db
    .selectFrom('incident_updates')
    .select('incident_id')
    .where('state', '=', 'published')
    .where('audience', 'in', ['public', audience]);
  return db
    .selectFrom('incidents')
    .where('drill', '=', 0)
    .where((eb) => eb.or([eb('audience', 'is', null), eb('audience', '=', audience)]))
    .where('id', 'in', published);
}

export interface IncidentFilter {
  /** `unresolved`: investigating, identified or monitoring; `resolved`: resolved or postmortem. */
  state?: 'unresolved' | 'resolved' | 'all';
  q?: string;
}

export async function listIncidents(
  db: Db,
  page: Pagination,
  filter: IncidentFilter = {},
): Promise<Page<IncidentView>> {
  let query = db.selectFrom('incidents');
  if (filter.state === 'unresolved')
    query = query.where('status', 'in', ['investigating', 'identified', 'monitoring']);
  if (filter.state === 'resolved') query = query.where('status', 'in', ['resolved', 'postmortem']);
  if (filter.q) query = query.where('name', 'like', `%${filter.q.replace(/[%_]/g, '')}%`);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await query
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(page.per_page)
    .offset(offsetOf(page))
    .execute();
  return { items: await incidentViews(db, rows), total: Number(total?.n ?? 0), ...page };
}
