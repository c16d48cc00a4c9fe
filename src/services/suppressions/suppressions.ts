/**
 * Suppressed contacts (docs/operations.md, bounces and complaints): what
 * providers report is recorded through the store's one write
 * (src/store/suppressions.ts), listed for those who may read contacts, and
 * cleared by an admin, which lets the contact's subscriptions hear again.
 */
import { z } from 'zod';
import { subscriberKinds } from '../../channels/types.ts';
import { CrierError } from '../../domain/errors.ts';
import type { SuppressionRow } from '../../store/schema.ts';
import { suppressionReasons } from '../../store/schema-suppressions.ts';
import { recordSuppression, type SuppressionEvent, softBounceWindowMs } from '../../store/suppressions.ts';
import { audit } from '../audit.ts';
import { actingAs, type Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { offsetOf, type Page, Pagination } from '../pagination.ts';
import { onCommit, withTransaction } from '../transaction.ts';

export const SuppressionView = z.object({
  id: z.string(),
  kind: z.enum(subscriberKinds),
  /** The address or number, normalised. */
  contact: z.string(),
  reason: z.enum(suppressionReasons),
  /** `ses`, `twilio`, or the channel whose send the provider refused. */
  source: z.string(),
  detail: z.string().nullable(),
  soft_bounces: z.number().int(),
  /** False while soft bounces are still under the threshold. */
  suppressed: z.boolean(),
  suppressed_at: z.string().nullable(),
  first_at: z.string(),
  last_at: z.string(),
});
export type SuppressionView = z.infer<typeof SuppressionView>;

export const SuppressionQuery = Pagination.extend({
  /** Part of the address or number. */
  q: z.string().max(200).optional(),
  kind: z.enum(['email', 'sms']).optional(),
  reason: z.enum(suppressionReasons).optional(),
  /** `suppressed` (the default), `counting` (soft bounces under the threshold) or `all`. */
  state: z.enum(['suppressed', 'counting', 'all']).default('suppressed'),
});
export type SuppressionQuery = z.infer<typeof SuppressionQuery>;

function viewOf(row: SuppressionRow): SuppressionView {
  return {
    id: row.id,
    kind: row.kind,
    contact: row.contact_key,
    reason: row.reason,
    source: row.source,
    detail: row.detail,
    soft_bounces: row.soft_bounces,
    suppressed: row.suppressed_at !== null,
    suppressed_at: row.suppressed_at,
    first_at: row.first_at,
    last_at: row.last_at,
  };
}

export async function listSuppressions(ctx: Ctx, q: SuppressionQuery): Promise<Page<SuppressionView>> {
  authorize(ctx, 'subscriber.read');
  let query = ctx.db.selectFrom('suppressions');
  if (q.q) query = query.where('contact_key', 'like', `%${q.q.toLowerCase().replace(/[%_]/g, '')}%`);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.reason) query = query.where('reason', '=', q.reason);
  if (q.state === 'suppressed') query = query.where('suppressed_at', 'is not', null);
  if (q.state === 'counting') query = query.where('suppressed_at', 'is', null);
  const total = Number(
    (await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n,
  );
  const rows = await query
    .selectAll()
    .orderBy('last_at', 'desc')
    .orderBy('id')
    .limit(q.per_page)
    .offset(offsetOf(q))
    .execute();
  return { items: rows.map(viewOf), total, page: q.page, per_page: q.per_page };
}

/**
 * Clears a suppression: the record goes, and the subscriptions it disabled hear again
 * (confirmed ones as confirmed; those never confirmed wait for their confirmation).
 */
export async function clearSuppression(ctx: Ctx, id: string): Promise<{ restored: number }> {
  authorize(ctx, 'suppression.clear');
  return withTransaction(ctx, async (tx) => {
    const row = await tx.db.selectFrom('suppressions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new CrierError('not_found', `No suppression ${id}.`);
    await tx.db.deleteFrom('suppressions').where('id', '=', id).execute();
    const at = tx.clock.now().toISOString();
    let restored = 0;
    for (const [state, confirmed] of [
      ['confirmed', true],
      ['pending', false],
    ] as const) {
      const done = await tx.db
        .updateTable('subscribers')
        .set({ state, disabled_reason: null, updated_at: at })
        .where('kind', '=', row.kind)
        .where('contact_key', '=', row.contact_key)
        .where('state', '=', 'disabled')
        .where('disabled_reason', 'like', 'suppressed:%')
        .where('confirmed_at', confirmed ? 'is not' : 'is', null)
        .executeTakeFirst();
      restored += Number(done.numUpdatedRows);
    }
    await audit(tx, {
      action: 'suppression.clear',
      subjectType: 'suppression',
      subjectId: id,
      before: { kind: row.kind, reason: row.reason, source: row.source, suppressed_at: row.suppressed_at },
      after: { restored },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id }));
    return { restored };
  });
}

/** What a provider reported, as the actor `source` (`ses`, `twilio`): each event recorded, in one transaction. */
export async function recordProviderReport(
  ctx: Ctx,
  source: string,
  events: readonly SuppressionEvent[],
): Promise<{ suppressed: number; counted: number }> {
  const actor = actingAs(ctx, {
    id: source,
    role: 'viewer',
    source,
    ...(ctx.actor.requestId !== undefined && { requestId: ctx.actor.requestId }),
  });
  return withTransaction(actor, async (tx) => {
    let suppressed = 0;
    let counted = 0;
    for (const event of events) {
      const recorded = await recordSuppression(tx.db, event, tx.clock.now(), {
        limit: tx.config.suppression.softBounceLimit,
        windowMs: softBounceWindowMs,
      });
      if (recorded.suppressedNow) {
        suppressed++;
        await audit(tx, {
          action: 'suppression.add',
          subjectType: 'suppression',
          subjectId: recorded.row.id,
          after: { reason: recorded.row.reason, source, disabled: recorded.disabled },
        });
      } else if (event.reason === 'soft_bounce') counted++;
    }
    return { suppressed, counted };
  });
}
