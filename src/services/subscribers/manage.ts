/** Admin changes to subscribers and deliveries: delete, replay. */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { requireSubscriber } from './queries.ts';

export async function deleteSubscriber(ctx: Ctx, id: string): Promise<void> {
  authorize(ctx, 'subscriber.write');
  await withTransaction(ctx, async (tx) => {
    const row = await requireSubscriber(tx.db, id);
    await tx.db
      .deleteFrom('deliveries')
      .where('subscriber_id', '=', id)
      .where('state', 'in', ['pending', 'failed'])
      .execute();
    await tx.db.deleteFrom('subscribers').where('id', '=', id).execute();
    await audit(tx, {
      action: 'subscriber.delete',
      subjectType: 'subscriber',
      subjectId: id,
      before: { kind: row.kind, audience: row.audience, state: row.state },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id }));
  });
}

export const ReplayInput = z.strictObject({
  /** Replay the dead deliveries of one update (or maintenance notice). */
  subject_id: z.string().min(1).max(200).optional(),
  channel: z.string().min(1).max(32).optional(),
});
export type ReplayInput = z.input<typeof ReplayInput>;

export const ReplayResult = z
  .object({ replayed: z.number().describe('How many dead deliveries went back in the queue.') })
  .meta({ id: 'ReplayResult' });
export type ReplayResult = z.infer<typeof ReplayResult>;

/** Puts dead deliveries back in the queue with fresh attempts. Returns how many. */
export async function replayDeliveries(ctx: Ctx, raw: ReplayInput, id?: string): Promise<ReplayResult> {
  authorize(ctx, 'delivery.replay');
  const input = ReplayInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now().toISOString();
    if (id !== undefined) {
      const row = await tx.db
        .selectFrom('deliveries')
        .select(['id', 'state'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) throw new CrierError('delivery_not_found', `No delivery has the id ${id}.`, { id });
      if (row.state !== 'dead') {
        throw new CrierError(
          'transition_not_allowed',
          `Only dead deliveries are replayed; this one is ${row.state}.`,
          {
            state: row.state,
          },
        );
      }
    }
    let q = tx.db
      .updateTable('deliveries')
      .set({ state: 'pending', attempts: 0, next_attempt_at: now, last_error: null, updated_at: now })
      .where('state', '=', 'dead')
      // A subscriber who left stays left.
      .where('subscriber_id', 'in', (eb) =>
        eb.selectFrom('subscribers').select('id').where('state', '=', 'confirmed'),
      );
    if (id !== undefined) q = q.where('id', '=', id);
    if (input.subject_id) q = q.where('subject_id', '=', input.subject_id);
    if (input.channel) q = q.where('channel', '=', input.channel);
    const result = await q.executeTakeFirst();
    const replayed = Number(result.numUpdatedRows);
    await audit(tx, {
      action: 'delivery.replay',
      subjectType: 'delivery',
      subjectId: id ?? input.subject_id ?? null,
      after: { replayed, ...input },
    });
    return { replayed };
  });
}
