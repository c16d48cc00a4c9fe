import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Db } from '../../store/db.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type IncidentUpdateView, updateView } from '../views.ts';
import { IncidentFields } from './inputs.ts';

export const EditUpdateInput = z.object({ body: IncidentFields.body });
export type EditUpdateInput = z.input<typeof EditUpdateInput>;

export async function requireUpdate(
  db: Db,
  incidentId: string,
  updateId: string,
): Promise<IncidentUpdateRow> {
  const row = await db
    .selectFrom('incident_updates')
    .selectAll()
    .where('id', '=', updateId)
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (!row) {
    throw new CrierError('update_not_found', `Incident ${incidentId} has no update ${updateId}.`, {
      incident_id: incidentId,
      update_id: updateId,
    });
  }
  return row;
}

/** Corrects the text of a published update, keeping a record of every edit. */
export async function editPublishedUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: EditUpdateInput,
): Promise<IncidentUpdateView> {
  authorize(ctx, 'update.edit_published');
  const input = EditUpdateInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const before = await requireUpdate(tx.db, incidentId, updateId);
    if (before.state !== 'published') {
      throw new CrierError(
        'transition_not_allowed',
        'Only a published update is edited this way; edit the draft instead.',
        {
          state: before.state,
        },
      );
    }
    const now = tx.clock.now().toISOString();
    await tx.db
      .updateTable('incident_updates')
      .set({ body: input.body, updated_at: now })
      .where('id', '=', updateId)
      .execute();
    await tx.db
      .insertInto('update_edits')
      .values({
        update_id: updateId,
        old_body: before.body,
        new_body: input.body,
        actor: tx.actor.id,
        at: now,
      })
      .execute();
    await audit(tx, {
      action: 'incident_update.edit',
      subjectType: 'incident_update',
      subjectId: updateId,
      before: { body: before.body },
      after: { body: input.body },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    return updateView({ ...before, body: input.body, updated_at: now });
  });
}

export async function listUpdateEdits(db: Db, updateId: string) {
  return db.selectFrom('update_edits').selectAll().where('update_id', '=', updateId).orderBy('id').execute();
}
