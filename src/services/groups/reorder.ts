/** Putting component groups in the order the status page shows them. */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import type { ComponentGroupView } from '../views.ts';
import { listGroups } from './groups.ts';

export const ReorderGroupsInput = z.strictObject({
  group_ids: z.array(z.string().min(1).max(64)).min(1).max(1000),
});
export type ReorderGroupsInput = z.input<typeof ReorderGroupsInput>;

/** Puts the named groups in the given order, ahead of any not named; an unknown id changes nothing. */
export async function reorderGroups(ctx: Ctx, raw: ReorderGroupsInput): Promise<ComponentGroupView[]> {
  authorize(ctx, 'component.manage');
  const input = ReorderGroupsInput.parse(raw);
  if (new Set(input.group_ids).size !== input.group_ids.length) {
    throw new CrierError('validation_failed', 'group_ids lists a group twice.');
  }
  return withTransaction(ctx, async (tx) => {
    const all = await listGroups(tx.db);
    const known = new Set(all.map((g) => g.id));
    const unknown = input.group_ids.find((id) => !known.has(id));
    if (unknown !== undefined) {
      throw new CrierError('component_group_not_found', `No component group has the id ${unknown}.`, {
        id: unknown,
      });
    }
    const named = new Set(input.group_ids);
    const order = [...input.group_ids, ...all.filter((g) => !named.has(g.id)).map((g) => g.id)];
    const now = tx.clock.now().toISOString();
    for (const [index, id] of order.entries()) {
      await tx.db
        .updateTable('component_groups')
        .set({ position: index + 1, updated_at: now })
        .where('id', '=', id)
        .execute();
    }
    await audit(tx, {
      action: 'component_group.reorder',
      subjectType: 'component_group',
      subjectId: null,
      before: all.map((g) => g.id),
      after: order,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'page' }));
    return listGroups(tx.db);
  });
}
