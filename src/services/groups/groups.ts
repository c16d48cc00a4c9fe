/** Component groups: create, edit (name, members), delete, list. */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import type { ComponentGroupRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type ComponentGroupView, groupView } from '../views.ts';

const componentIds = z.array(z.string().min(1).max(64)).max(1000);

export const CreateGroupInput = z.strictObject({
  name: z.string().trim().min(1).max(255),
  description: z.string().max(2000).nullable().optional(),
  components: componentIds.default([]),
});
export type CreateGroupInput = z.input<typeof CreateGroupInput>;

export const UpdateGroupInput = z
  .strictObject({
    name: z.string().trim().min(1).max(255),
    description: z.string().max(2000).nullable(),
    components: componentIds,
    position: z.number().int().min(0).max(1_000_000),
  })
  .partial();
export type UpdateGroupInput = z.input<typeof UpdateGroupInput>;

async function requireGroupRow(db: Db, id: string): Promise<ComponentGroupRow> {
  const row = await db.selectFrom('component_groups').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CrierError('component_group_not_found', `No component group has the id ${id}.`, { id });
  return row;
}

async function members(db: Db, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('components')
    .select('id')
    .where('group_id', '=', groupId)
    .orderBy('position')
    .execute();
  return rows.map((r) => r.id);
}

async function setMembers(tx: Ctx, groupId: string, ids: readonly string[]): Promise<void> {
  await requireComponents(tx.db, ids);
  const now = tx.clock.now().toISOString();
  await tx.db
    .updateTable('components')
    .set({ group_id: null, updated_at: now })
    .where('group_id', '=', groupId)
    .execute();
  if (ids.length > 0) {
    await tx.db
      .updateTable('components')
      .set({ group_id: groupId, updated_at: now })
      .where('id', 'in', [...ids])
      .execute();
  }
}

export async function getGroup(db: Db, id: string): Promise<ComponentGroupView> {
  return groupView(await requireGroupRow(db, id), await members(db, id));
}

export async function listGroups(db: Db): Promise<ComponentGroupView[]> {
  const rows = await db
    .selectFrom('component_groups')
    .selectAll()
    .orderBy('position')
    .orderBy('created_at')
    .execute();
  const comps = await db.selectFrom('components').select(['id', 'group_id']).orderBy('position').execute();
  return rows.map((g) =>
    groupView(
      g,
      comps.filter((c) => c.group_id === g.id).map((c) => c.id),
    ),
  );
}

export async function createGroup(ctx: Ctx, raw: CreateGroupInput): Promise<ComponentGroupView> {
  authorize(ctx, 'component.manage');
  const input = CreateGroupInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now().toISOString();
    const last = await tx.db
      .selectFrom('component_groups')
      .select((eb) => eb.fn.max('position').as('max'))
      .executeTakeFirst();
    const id = newId();
    await tx.db
      .insertInto('component_groups')
      .values({
        id,
        name: input.name,
        description: input.description ?? null,
        position: Number(last?.max ?? 0) + 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await setMembers(tx, id, input.components);
    const view = await getGroup(tx.db, id);
    await audit(tx, {
      action: 'component_group.create',
      subjectType: 'component_group',
      subjectId: id,
      after: view,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'page' }));
    return view;
  });
}

export async function updateGroup(ctx: Ctx, id: string, raw: UpdateGroupInput): Promise<ComponentGroupView> {
  authorize(ctx, 'component.manage');
  const input = UpdateGroupInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const before = await getGroup(tx.db, id);
    const patch = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.position !== undefined && { position: input.position }),
    };
    await tx.db
      .updateTable('component_groups')
      .set({ ...patch, updated_at: tx.clock.now().toISOString() })
      .where('id', '=', id)
      .execute();
    if (input.components) await setMembers(tx, id, input.components);
    const after = await getGroup(tx.db, id);
    await audit(tx, {
      action: 'component_group.update',
      subjectType: 'component_group',
      subjectId: id,
      before,
      after,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'page' }));
    return after;
  });
}

/** Deletes a group; its components stay, ungrouped. */
export async function deleteGroup(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx, 'component.manage');
  await withTransaction(ctx, async (tx) => {
    const before = await getGroup(tx.db, id);
    await setMembers(tx, id, []);
    await tx.db.deleteFrom('component_groups').where('id', '=', id).execute();
    await audit(tx, {
      action: 'component_group.delete',
      subjectType: 'component_group',
      subjectId: id,
      before,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'page' }));
  });
}
