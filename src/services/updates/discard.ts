/**
 * Discarding a draft that will not go out, in any state before publication.
 * The row, its approval decisions and its edit records go; the audit entry
 * keeps what it said and who had decided on it. A published update is part
 * of the record and cannot be discarded: correct it, or post a new one.
 */

import { CrierError } from '../../domain/errors.ts';
import { pendingOf } from '../../store/json.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { cancelApprovalTimeout } from './approval.ts';
import { lockUpdate, variantsOf } from './rows.ts';
import { decisionsOf } from './views.ts';

export async function discardDraft(ctx: Ctx, incidentId: string, updateId: string): Promise<void> {
  authorize(ctx, 'incident.update');
  await withTransaction(ctx, async (tx) => {
    const { row } = await lockUpdate(tx, incidentId, updateId);
    if (row.state === 'published') {
      throw new CrierError(
        'transition_not_allowed',
        'A published update cannot be discarded; correct it with PATCH, or post a new update.',
        { state: row.state },
      );
    }
    await removeDraft(tx, row);
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
  });
}

/**
 * Removes a draft and what hangs on it (its decisions, edits and approval
 * timeout), audited with what it said: as discarded by the actor, or as
 * withdrawn (`why`), an entry on the incident's timeline.
 */
export async function removeDraft(tx: Ctx, row: IncidentUpdateRow, why?: string): Promise<void> {
  const decisions = await decisionsOf(tx.db, row.id);
  await cancelApprovalTimeout(tx, row);
  await tx.db.deleteFrom('update_decisions').where('update_id', '=', row.id).execute();
  await tx.db.deleteFrom('update_edits').where('update_id', '=', row.id).execute();
  await tx.db.deleteFrom('incident_updates').where('id', '=', row.id).execute();
  const kept = {
    incident_id: row.incident_id,
    state: row.state,
    status: row.status,
    audience: row.audience,
    body: row.body,
    variants: variantsOf(row),
    pending: pendingOf(row),
    created_by: row.created_by,
    round: row.round,
    decisions,
  };
  // The row is gone, so a withdrawal is the incident's entry (its timeline and rooms show it).
  await audit(
    tx,
    why === undefined
      ? { action: 'incident_update.discard', subjectType: 'incident_update', subjectId: row.id, before: kept }
      : {
          action: 'incident_update.withdraw',
          subjectType: 'incident',
          subjectId: row.incident_id,
          before: kept,
          after: { update_id: row.id, reason: why },
        },
  );
}
