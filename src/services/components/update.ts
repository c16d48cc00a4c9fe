import { z } from 'zod';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type ComponentView, componentView } from '../views.ts';
import { ComponentFields, requireGroup } from './create.ts';
import { requireComponent } from './queries.ts';
import { applyComponentStatus } from './set-status.ts';

export const UpdateComponentInput = z
  .strictObject({
    name: ComponentFields.name,
    description: ComponentFields.description,
    status: ComponentFields.status,
    group_id: ComponentFields.group_id,
    showcase: ComponentFields.showcase,
    only_show_if_degraded: ComponentFields.only_show_if_degraded,
    start_date: ComponentFields.start_date,
  })
  .partial();
export type UpdateComponentInput = z.input<typeof UpdateComponentInput>;

/**
 * Edits a component; a new `status` is recorded in its history like any other change.
 * Setting the status and changing the component itself are two permissions: a responder
 * says what is broken, but the list of components is the leads'.
 */
export async function updateComponent(
  ctx: Ctx,
  id: string,
  raw: UpdateComponentInput,
): Promise<ComponentView> {
  const input = UpdateComponentInput.parse(raw);
  const { status, ...rest } = input;
  if (status !== undefined) authorize(ctx, 'component.status');
  if (status === undefined || Object.values(rest).some((v) => v !== undefined)) {
    authorize(ctx, 'component.manage');
  }
  return withTransaction(ctx, async (tx) => {
    const before = await requireComponent(tx.db, id);
    if (input.group_id) await requireGroup(tx, input.group_id);
    if (input.status !== undefined) await applyComponentStatus(tx, before, input.status);
    const patch = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.description !== undefined && { description: input.description }),
      ...(input.group_id !== undefined && { group_id: input.group_id }),
      ...(input.showcase !== undefined && { showcase: input.showcase ? 1 : 0 }),
      ...(input.only_show_if_degraded !== undefined && {
        only_show_if_degraded: input.only_show_if_degraded ? 1 : 0,
      }),
      ...(input.start_date !== undefined && { start_date: input.start_date }),
    };
    await tx.db
      .updateTable('components')
      .set({ ...patch, updated_at: tx.clock.now().toISOString() })
      .where('id', '=', id)
      .execute();
    const after = componentView(await requireComponent(tx.db, id));
    await audit(tx, {
      action: 'component.update',
      subjectType: 'component',
      subjectId: id,
      before: componentView(before),
      after,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'component', id }));
    return after;
  });
}
