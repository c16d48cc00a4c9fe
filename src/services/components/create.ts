import { z } from 'zod';
import { componentStatuses } from '../../domain/components.ts';
import { CrierError } from '../../domain/errors.ts';
import { newId } from '../../store/ids.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type ComponentView, componentView } from '../views.ts';

export const ComponentFields = {
  name: z.string().trim().min(1).max(255),
  description: z.string().max(2000).nullable(),
  status: z.enum(componentStatuses),
  group_id: z.string().min(1).max(64).nullable(),
  showcase: z.boolean(),
  only_show_if_degraded: z.boolean(),
  start_date: z.iso.date().nullable(),
};

export const CreateComponentInput = z.strictObject({
  name: ComponentFields.name,
  description: ComponentFields.description.optional(),
  status: ComponentFields.status.default('operational'),
  group_id: ComponentFields.group_id.optional(),
  showcase: ComponentFields.showcase.default(true),
  only_show_if_degraded: ComponentFields.only_show_if_degraded.default(false),
  start_date: ComponentFields.start_date.optional(),
});
export type CreateComponentInput = z.input<typeof CreateComponentInput>;

export async function requireGroup(ctx: Ctx, groupId: string): Promise<void> {
  const group = await ctx.db
    .selectFrom('component_groups')
    .select('id')
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (!group) {
    throw new CrierError('component_group_not_found', `No component group has the id ${groupId}.`, {
      id: groupId,
    });
  }
}

export async function createComponent(ctx: Ctx, raw: CreateComponentInput): Promise<ComponentView> {
  authorize(ctx, 'component.manage');
  const input = CreateComponentInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    if (input.group_id) await requireGroup(tx, input.group_id);
    const now = tx.clock.now().toISOString();
    const last = await tx.db
      .selectFrom('components')
      .select((eb) => eb.fn.max('position').as('max'))
      .executeTakeFirst();
    const row = {
      id: newId(),
      name: input.name,
      description: input.description ?? null,
      status: input.status,
      group_id: input.group_id ?? null,
      position: Number(last?.max ?? 0) + 1,
      showcase: input.showcase ? 1 : 0,
      only_show_if_degraded: input.only_show_if_degraded ? 1 : 0,
      start_date: input.start_date ?? null,
      created_at: now,
      updated_at: now,
    };
    await tx.db.insertInto('components').values(row).execute();
    await tx.db
      .insertInto('component_status_history')
      .values({ component_id: row.id, status: row.status, at: now, incident_id: null, maintenance_id: null })
      .execute();
    const view = componentView(row);
    await audit(tx, { action: 'component.create', subjectType: 'component', subjectId: row.id, after: view });
    onCommit(tx, () => tx.changes.publish({ kind: 'component', id: row.id }));
    return view;
  });
}
