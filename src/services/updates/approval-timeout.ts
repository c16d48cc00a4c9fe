/**
 * The plan's approval timeout (an outbox timer armed at submission): a
 * draft still pending in the same round is published unapproved, and
 * recorded as such. Runs in the worker, acting as the system.
 */
import { approvalPolicy } from '../../plan/policy.ts';
import { actingAs, type Ctx, systemActor } from '../context.ts';
import { lockIncident } from '../incidents/queries.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { publishRow } from './pipeline.ts';

export async function publishUnapprovedIfStillPending(
  ctx: Ctx,
  job: { incident_id: string; update_id: string; round: number },
): Promise<boolean> {
  const system = actingAs(ctx, { ...systemActor, id: 'approval-timeout', source: 'worker' });
  return withTransaction(system, async (tx) => {
    const incident = await lockIncident(tx.db, job.incident_id);
    const row = await tx.db
      .selectFrom('incident_updates')
      .selectAll()
      .where('id', '=', job.update_id)
      .where('incident_id', '=', incident.id)
      .executeTakeFirst();
    // Discarded, decided, edited or resubmitted since: this timer is for words nobody is waiting on any more.
    if (row?.state !== 'pending_approval' || row.round !== job.round) return false;
    const policy = approvalPolicy(await currentPlan(tx.db), incident.severity);
    if (policy.kind !== 'roles' || policy.publishUnapprovedAfterMs === null) return false;
    await publishRow(tx, incident, row, {
      action: 'incident_update.publish_unapproved',
      insert: false,
      unapproved: true,
    });
    return true;
  });
}
