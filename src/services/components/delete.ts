import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { componentView } from '../views.ts';
import { requireComponent } from './queries.ts';

/**
 * Deletes a component. Its status history stays, so past reports still add up;
 * incidents and maintenances simply stop listing it.
 */
export async function deleteComponent(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx, 'component.manage');
  await withTransaction(ctx, async (tx) => {
    const before = await requireComponent(tx.db, id);
    await tx.db.deleteFrom('incident_components').where('component_id', '=', id).execute();
    await tx.db.deleteFrom('maintenance_components').where('component_id', '=', id).execute();
    await tx.db.deleteFrom('components').where('id', '=', id).execute();
    await audit(tx, {
      action: 'component.delete',
      subjectType: 'component',
      subjectId: id,
      before: componentView(before),
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'component', id }));
  });
}
