import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type ComponentView, componentView } from '../views.ts';
import { requireComponents } from './queries.ts';

export const ReorderComponentsInput = z.strictObject({
  component_ids: z.array(z.string().min(1).max(64)).min(1).max(1000),
});
export type ReorderComponentsInput = z.input<typeof ReorderComponentsInput>;

/** Puts the named components in the given order, ahead of any not named. */
export async function reorderComponents(ctx: Ctx, raw: ReorderComponentsInput): Promise<ComponentView[]> {
  authorize(ctx, 'component.manage');
  const input = ReorderComponentsInput.parse(raw);
  if (new Set(input.component_ids).size !== input.component_ids.length) {
    throw new CrierError('validation_failed', 'component_ids lists a component twice.');
  }
  return withTransaction(ctx, async (tx) => {
    await requireComponents(tx.db, input.component_ids);
    const all = await tx.db
      .selectFrom('components')
      .selectAll()
      .orderBy('position')
      .orderBy('created_at')
      .execute();
    const named = new Set(input.component_ids);
    const order = [...input.component_ids, ...all.filter((c) => !named.has(c.id)).map((c) => c.id)];
    const now = tx.clock.now().toISOString();
    for (const [index, id] of order.entries()) {
      await tx.db
        .updateTable('components')
        .set({ position: index + 1, updated_at: now })
        .where('id', '=', id)
        .execute();
    }
    await audit(tx, {
      action: 'component.reorder',
      subjectType: 'component',
      subjectId: null,
      before: all.map((c) => c.id),
      after: order,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'page' }));
    const rows = await tx.db.selectFrom('components').selectAll().orderBy('position').execute();
    return rows.map(componentView);
  });
}
