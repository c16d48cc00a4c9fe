/**
 * The one write of a suppression event (a bounce, a complaint, a number the
 * provider cannot reach), shared by the worker, which records a send the
 * provider refused for good, and the verbs that read providers' reports
 * (src/services/suppressions/). A hard event suppresses the contact at
 * once; soft bounces are counted, and suppress it at the threshold. Once
 * suppressed, every subscriber with that contact, in any audience, is
 * disabled: the fan-out skips them and the worker sends them nothing more.
 */
import type { SubscriberKind } from '../channels/types.ts';
import type { Db } from './db.ts';
import { newId } from './ids.ts';
import type { SuppressionRow } from './schema.ts';
import type { SuppressionReason } from './schema-suppressions.ts';

export interface SuppressionEvent {
  kind: SubscriberKind;
  /** Normalised as subscribers.contact_key holds it. */
  contactKey: string;
  reason: SuppressionReason;
  source: string;
  detail: string | null;
}

/** A soft bounce more than this after the previous one starts the count again. */
export const softBounceWindowMs = 30 * 24 * 60 * 60 * 1000;

export interface SoftBouncePolicy {
  /** Soft bounces that suppress a contact. */
  limit: number;
  /** A soft bounce longer than this after the last one starts the count again. */
  windowMs: number;
}

export interface Recorded {
  row: SuppressionRow;
  /** It was not suppressed before this event, and is now. */
  suppressedNow: boolean;
  /** Subscribers disabled by it. */
  disabled: number;
}

/** Records one event inside the caller's transaction `db`. */
export async function recordSuppression(
  db: Db,
  event: SuppressionEvent,
  now: Date,
  soft: SoftBouncePolicy,
): Promise<Recorded> {
  const at = now.toISOString();
  const detail = event.detail === null ? null : event.detail.slice(0, 500);
  await db
    .insertInto('suppressions')
    .values({
      id: newId(),
      kind: event.kind,
      contact_key: event.contactKey,
      reason: event.reason,
      source: event.source,
      detail,
      soft_bounces: 0,
      suppressed_at: null,
      first_at: at,
      last_at: at,
    })
    .onConflict((oc) => oc.columns(['kind', 'contact_key']).doNothing())
    .execute();
  const row = await db
    .selectFrom('suppressions')
    .selectAll()
    .where('kind', '=', event.kind)
    .where('contact_key', '=', event.contactKey)
    .executeTakeFirstOrThrow();
  if (row.suppressed_at !== null) {
    await db.updateTable('suppressions').set({ last_at: at }).where('id', '=', row.id).execute();
    return { row: { ...row, last_at: at }, suppressedNow: false, disabled: 0 };
  }
  const isSoft = event.reason === 'soft_bounce';
  const lapsed = now.getTime() - Date.parse(row.last_at) > soft.windowMs;
  const softBounces = isSoft ? (lapsed ? 1 : row.soft_bounces + 1) : row.soft_bounces;
  const suppressed = !isSoft || softBounces >= soft.limit;
  const next: SuppressionRow = {
    ...row,
    reason: event.reason,
    source: event.source,
    detail,
    soft_bounces: softBounces,
    suppressed_at: suppressed ? at : null,
    last_at: at,
  };
  await db
    .updateTable('suppressions')
    .set({
      reason: next.reason,
      source: next.source,
      detail: next.detail,
      soft_bounces: next.soft_bounces,
      suppressed_at: next.suppressed_at,
      last_at: at,
    })
    .where('id', '=', row.id)
    .execute();
  if (!suppressed) return { row: next, suppressedNow: false, disabled: 0 };
  const disabled = await db
    .updateTable('subscribers')
    .set({ state: 'disabled', disabled_reason: `suppressed: ${event.reason}`, updated_at: at })
    .where('kind', '=', event.kind)
    .where('contact_key', '=', event.contactKey)
    .where('state', 'in', ['pending', 'confirmed'])
    .executeTakeFirst();
  return { row: next, suppressedNow: true, disabled: Number(disabled.numUpdatedRows) };
}

/** Whether a contact is suppressed (a new or revived subscription to it stays disabled). */
export async function suppressionOf(db: Db, kind: SubscriberKind, contactKey: string) {
  return db
    .selectFrom('suppressions')
    .selectAll()
    .where('kind', '=', kind)
    .where('contact_key', '=', contactKey)
    .where('suppressed_at', 'is not', null)
    .executeTakeFirst();
}

/**
 * A provider refused a delivery for good (a mailbox that does not exist, a number that is not
 * one): an email address or a phone number is suppressed, for every audience it is in; any
 * other subscriber (a webhook answering 410) is disabled alone. With `soft`, the delivery gave
 * up on temporary refusals about the mailbox: one soft bounce is counted toward `soft.limit`.
 */
export async function disableAfterRefusal(
  trx: Db,
  id: string,
  via: string,
  reason: string,
  now: Date,
  soft?: SoftBouncePolicy,
) {
  const at = now.toISOString();
  const who = await trx
    .selectFrom('deliveries')
    .innerJoin('subscribers', 'subscribers.id', 'deliveries.subscriber_id')
    .select(['subscribers.id', 'subscribers.kind', 'subscribers.contact_key'])
    .where('deliveries.id', '=', id)
    .executeTakeFirst();
  if (!who) return;
  if (who.kind === 'email' || who.kind === 'sms') {
    const recorded = await recordSuppression(
      trx,
      {
        kind: who.kind,
        contactKey: who.contact_key,
        reason: soft ? 'soft_bounce' : who.kind === 'email' ? 'hard_bounce' : 'undeliverable',
        source: via,
        detail: reason,
      },
      now,
      soft ?? { limit: 1, windowMs: 0 },
    );
    if (recorded.suppressedNow) {
      await trx
        .insertInto('audit_log')
        .values({
          at,
          actor: 'worker',
          action: 'suppression.add',
          subject_type: 'suppression',
          subject_id: recorded.row.id,
          before: null,
          after: JSON.stringify({ reason: recorded.row.reason, source: via, disabled: recorded.disabled }),
          request_id: null,
          source: 'worker',
        })
        .execute();
    }
    return;
  }
  if (soft) return;
  await trx
    .updateTable('subscribers')
    .set({ state: 'disabled', disabled_reason: reason.slice(0, 500), updated_at: at })
    .where('id', '=', who.id)
    .execute();
}
