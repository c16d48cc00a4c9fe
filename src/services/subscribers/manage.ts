/** Admin changes to subscribers and deliveries: delete, replay. */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { channelName } from '../../plan/channels.ts';
import { broadcastPrefix } from '../../store/fanout.ts';
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

const replayFilters = ['incident_id', 'update_id', 'subject_id', 'channel'] as const;

/**
 * Which dead deliveries to replay. A filter, or `all: true` said in so many words: an empty
 * body once replayed every dead delivery there was, which is not what a slip of the hand
 * should do.
 */
export const ReplayInput = z
  .strictObject({
    /** The dead deliveries of one incident, every update of it. */
    incident_id: z.string().min(1).max(64).optional(),
    /** The dead deliveries of one update. */
    update_id: z.string().min(1).max(200).optional(),
    /** The dead deliveries of one update or maintenance notice (`subject_id` in `GET /deliveries`). */
    subject_id: z.string().min(1).max(200).optional(),
    /** A kind of subscriber (`email`…) or a broadcast channel's name. */
    channel: z.string().regex(channelName).optional(),
    /** Every dead delivery; takes no filter beside it. */
    all: z.literal(true).optional(),
  })
  .superRefine((input, ctx) => {
    const filtered = replayFilters.some((f) => input[f] !== undefined);
    if (input.all && filtered) {
      ctx.addIssue({
        code: 'custom',
        path: ['all'],
        message: 'all: true replays every dead delivery; leave it out to replay those the filters select',
      });
    } else if (!input.all && !filtered) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `name what to replay (${replayFilters.join(', ')}), or send {"all": true} to replay every dead delivery`,
      });
    }
  })
  .meta({ id: 'ReplayInput' });
export type ReplayInput = z.input<typeof ReplayInput>;

export const ReplayResult = z
  .object({ replayed: z.number().describe('How many dead deliveries went back in the queue.') })
  .meta({ id: 'ReplayResult' });
export type ReplayResult = z.infer<typeof ReplayResult>;

/** Puts the dead deliveries the input selects back in the queue with fresh attempts. Returns how many. */
export async function replayDeliveries(ctx: Ctx, raw: ReplayInput): Promise<ReplayResult> {
  authorize(ctx, 'delivery.replay');
  const input = ReplayInput.parse(raw);
  return replay(ctx, input, input.update_id ?? input.subject_id ?? input.incident_id ?? null);
}

/** Puts one dead delivery back in the queue with fresh attempts. */
export async function replayDelivery(ctx: Ctx, id: string): Promise<ReplayResult> {
  authorize(ctx, 'delivery.replay');
  return replay(ctx, { id }, id);
}

type Selection = z.infer<typeof ReplayInput> & { id?: string };

async function replay(ctx: Ctx, input: Selection, subjectId: string | null): Promise<ReplayResult> {
  return withTransaction(ctx, async (tx) => {
    const now = tx.clock.now().toISOString();
    const id = input.id;
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
      // A subscriber who left stays left; a broadcast's account has no subscriber row to leave.
      .where((eb) =>
        eb.or([
          eb(
            'subscriber_id',
            'in',
            eb.selectFrom('subscribers').select('id').where('state', '=', 'confirmed'),
          ),
          eb('subscriber_id', 'like', `${broadcastPrefix}%`),
        ]),
      );
    if (id !== undefined) q = q.where('id', '=', id);
    if (input.incident_id) q = q.where('incident_id', '=', input.incident_id);
    if (input.update_id) q = q.where('subject_id', '=', input.update_id);
    if (input.subject_id) q = q.where('subject_id', '=', input.subject_id);
    if (input.channel) q = q.where('channel', '=', input.channel);
    const result = await q.executeTakeFirst();
    const replayed = Number(result.numUpdatedRows);
    await audit(tx, {
      action: 'delivery.replay',
      subjectType: 'delivery',
      subjectId: subjectId,
      after: { replayed, ...input },
    });
    return { replayed };
  });
}
