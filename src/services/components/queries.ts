/** Reads shared by the component verbs and the incident and maintenance verbs. */
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import type { ComponentRow } from '../../store/schema.ts';
import { type ComponentView, componentView } from '../views.ts';

export async function requireComponent(db: Db, id: string): Promise<ComponentRow> {
  const row = await db.selectFrom('components').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CrierError('component_not_found', `No component has the id ${id}.`, { id });
  return row;
}

/** Loads the named components, failing with every unknown id listed. */
export async function requireComponents(db: Db, ids: readonly string[]): Promise<ComponentRow[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  const rows = await db.selectFrom('components').selectAll().where('id', 'in', unique).execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const found = unique.flatMap((id) => byId.get(id) ?? []);
  const missing = unique.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw new CrierError('component_not_found', `Unknown component ids: ${missing.join(', ')}.`, {
      ids: missing,
    });
  }
  return found;
}

export async function listComponents(db: Db): Promise<ComponentView[]> {
  const rows = await db
    .selectFrom('components')
    .selectAll()
    .orderBy('position')
    .orderBy('created_at')
    .execute();
  return rows.map(componentView);
}

export async function getComponent(db: Db, id: string): Promise<ComponentView> {
  return componentView(await requireComponent(db, id));
}
