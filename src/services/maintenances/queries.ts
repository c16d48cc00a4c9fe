import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { forUpdate } from '../../store/locks.ts';
import type { MaintenanceRow } from '../../store/schema.ts';
import { offsetOf, type Page, type Pagination } from '../pagination.ts';
import { componentView, type MaintenanceView, maintenanceUpdateView, maintenanceView } from '../views.ts';

export async function requireMaintenance(db: Db, id: string): Promise<MaintenanceRow> {
  return readMaintenance(db, id, false);
}

/** Reads a maintenance to change it, locking its row on PostgreSQL (see lockIncident). */
export async function lockMaintenance(db: Db, id: string): Promise<MaintenanceRow> {
  return readMaintenance(db, id, true);
}

async function readMaintenance(db: Db, id: string, lock: boolean): Promise<MaintenanceRow> {
  const query = db.selectFrom('maintenances').selectAll().where('id', '=', id);
  const row = await (lock ? forUpdate(db, query) : query).executeTakeFirst();
  if (!row) throw new CrierError('maintenance_not_found', `No maintenance has the id ${id}.`, { id });
  return row;
}

export async function maintenanceViews(db: Db, rows: readonly MaintenanceRow[]): Promise<MaintenanceView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const updates = await db
    .selectFrom('maintenance_updates')
    .selectAll()
    .where('maintenance_id', 'in', ids)
    .orderBy('created_at', 'desc')
    .execute();
  const links = await db
    .selectFrom('maintenance_components')
    .innerJoin('components', 'components.id', 'maintenance_components.component_id')
    .selectAll('components')
    .select('maintenance_components.maintenance_id')
    .where('maintenance_components.maintenance_id', 'in', ids)
    .orderBy('components.position')
    .execute();
  return rows.map((row) =>
    maintenanceView(
      row,
      links.filter((l) => l.maintenance_id === row.id).map(componentView),
      updates.filter((u) => u.maintenance_id === row.id).map(maintenanceUpdateView),
    ),
  );
}

export async function getMaintenance(db: Db, id: string): Promise<MaintenanceView> {
  const [view] = await maintenanceViews(db, [await requireMaintenance(db, id)]);
  // maintenanceViews gives one view per row: this never throws.
  if (view === undefined) throw new Error(`no view of maintenance ${id}`);
  return view;
}

export async function listMaintenances(
  db: Db,
  page: Pagination,
  filter: { state?: 'upcoming' | 'active' | 'finished' | 'all' } = {},
): Promise<Page<MaintenanceView>> {
  let query = db.selectFrom('maintenances');
  if (filter.state === 'upcoming') query = query.where('status', '=', 'scheduled');
  if (filter.state === 'active') query = query.where('status', 'in', ['in_progress', 'verifying']);
  if (filter.state === 'finished') query = query.where('status', 'in', ['completed', 'cancelled']);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await query
    .selectAll()
    .orderBy('scheduled_for', 'desc')
    .orderBy('id')
    .limit(page.per_page)
    .offset(offsetOf(page))
    .execute();
  return { items: await maintenanceViews(db, rows), total: Number(total?.n ?? 0), ...page };
}
