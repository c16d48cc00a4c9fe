/**
 * The public side: subscribe, confirm, unsubscribe. Answers never say
 * whether a contact was already known; the rate limits (per address and per
 * contact) apply the same either way.
 */

import { CrierError } from '../../domain/errors.ts';
import type { PageLanguage } from '../../domain/languages.ts';
import { planLanguages } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import { componentIdsOf } from '../../store/json.ts';
import type { SubscriberRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import { actingAs, type Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { RateLimit } from '../rate-limit.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import {
  assertLocaleSpoken,
  defaultRegion,
  Locale,
  PublicSubscribeInput,
  parseContact,
  upsertSubscriber,
} from './subscribe.ts';

export interface PublicLimits {
  perAddress: RateLimit;
  perContact: RateLimit;
}

export function publicLimits(): PublicLimits {
  return { perAddress: new RateLimit(20, 10 * 60_000), perContact: new RateLimit(3, 60 * 60_000) };
}

/** The same words whatever happened. */
export const subscribeAnswer = {
  status: 'accepted',
  message:
    'Thank you. If this contact can receive our messages, it will get a confirmation or a first message shortly.',
} as const;

export async function publicSubscribe(
  ctx: Ctx,
  raw: unknown,
  from: string,
  limits: PublicLimits,
  offered: ReadonlySet<string>,
): Promise<typeof subscribeAnswer> {
  const input = PublicSubscribeInput.parse(raw);
  const contact = parseContact(input, await defaultRegion(ctx.db));
  const now = ctx.clock.now().getTime();
  if (!limits.perAddress.hit(from, now) || !limits.perContact.hit(`${contact.kind}:${contact.key}`, now)) {
    throw new CrierError('rate_limited', 'Too many subscription requests; try again later.');
  }
  const componentIds = input.component_ids ?? [];
  if (componentIds.length > 0) {
    const known = await ctx.db
      .selectFrom('components')
      .select('id')
      .where('id', 'in', componentIds)
      .execute();
    if (known.length !== new Set(componentIds).size) {
      throw new CrierError('validation_failed', 'Some components do not exist.', [
        { path: 'component_ids', message: 'unknown component' },
      ]);
    }
  }
  const actor = actingAs(ctx, { id: 'public', role: 'viewer', source: from });
  await withTransaction(actor, async (tx) => {
    const result = await upsertSubscriber(tx, contact, componentIds, input.locale, {
      audience: 'public',
      source: 'public',
      doubleOptIn: true,
      offered,
    });
    if (!result.unchanged) {
      await audit(tx, {
        action: result.created ? 'subscriber.subscribe' : 'subscriber.resubscribe',
        subjectType: 'subscriber',
        subjectId: result.row.id,
        after: { kind: result.row.kind, state: result.row.state },
      });
      onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id: result.row.id }));
    }
  });
  return subscribeAnswer;
}

export type ConfirmResult = {
  state: 'confirmed' | 'already_confirmed' | 'unknown';
  subscriber?: SubscriberRow;
};

export async function confirmSubscription(ctx: Ctx, confirmToken: string): Promise<ConfirmResult> {
  const actor = actingAs(ctx, { id: 'public', role: 'viewer', source: 'confirm-link' });
  return withTransaction(actor, async (tx) => {
    const row = await tx.db
      .selectFrom('subscribers')
      .selectAll()
      .where('confirm_token', '=', confirmToken)
      .executeTakeFirst();
    if (!row) return { state: 'unknown' };
    if (row.state === 'confirmed') return { state: 'already_confirmed', subscriber: row };
    if (row.state !== 'pending') return { state: 'unknown' };
    const now = tx.clock.now().toISOString();
    await tx.db
      .updateTable('subscribers')
      .set({ state: 'confirmed', confirmed_at: now, updated_at: now })
      .where('id', '=', row.id)
      .execute();
    await audit(tx, { action: 'subscriber.confirm', subjectType: 'subscriber', subjectId: row.id });
    return { state: 'confirmed', subscriber: { ...row, state: 'confirmed', confirmed_at: now } };
  });
}

/**
 * What a confirmation link is for, without changing anything (the page it
 * opens has the button that confirms): pending, already confirmed, or not
 * a link at all (unknown, or the subscriber has since left).
 */
export async function confirmationState(
  ctx: Ctx,
  confirmToken: string,
): Promise<'pending' | 'already_confirmed' | 'unknown'> {
  const row = await ctx.db
    .selectFrom('subscribers')
    .select('state')
    .where('confirm_token', '=', confirmToken)
    .executeTakeFirst();
  if (row?.state === 'pending') return 'pending';
  if (row?.state === 'confirmed') return 'already_confirmed';
  return 'unknown';
}

export async function findByToken(ctx: Ctx, token: string): Promise<SubscriberRow | undefined> {
  return ctx.db.selectFrom('subscribers').selectAll().where('token', '=', token).executeTakeFirst();
}

/**
 * The holder of a message's link chooses which components they hear about
 * (none chosen: all). False when the token is unknown or unsubscribed.
 */
export async function updatePreferences(
  ctx: Ctx,
  token: string,
  componentIds: readonly string[],
  locale?: string,
): Promise<boolean> {
  const chosen = [...new Set(componentIds)];
  if (locale !== undefined && !Locale.safeParse(locale).success) {
    throw new CrierError('validation_failed', 'Choose a language from the list.', [
      { path: 'locale', message: 'a language tag such as fr or fr-CA' },
    ]);
  }
  if (chosen.length > 500) throw new CrierError('validation_failed', 'Choose at most 500 components.');
  const actor = actingAs(ctx, { id: 'public', role: 'viewer', source: 'preferences' });
  return withTransaction(actor, async (tx) => {
    const row = await findByToken(tx, token);
    if (!row || row.state === 'unsubscribed') return false;
    await requireComponents(tx.db, chosen);
    await assertLocaleSpoken(tx.db, locale);
    await tx.db
      .updateTable('subscribers')
      .set({
        all_components: chosen.length === 0 ? 1 : 0,
        component_ids: JSON.stringify(chosen),
        ...(locale !== undefined && { locale }),
        updated_at: tx.clock.now().toISOString(),
      })
      .where('id', '=', row.id)
      .execute();
    await tx.db.deleteFrom('subscriber_components').where('subscriber_id', '=', row.id).execute();
    if (chosen.length > 0) {
      await tx.db
        .insertInto('subscriber_components')
        .values(chosen.map((component_id) => ({ subscriber_id: row.id, component_id })))
        .execute();
    }
    await audit(tx, {
      action: 'subscriber.preferences',
      subjectType: 'subscriber',
      subjectId: row.id,
      before: { component_ids: componentIdsOf(row), locale: row.locale },
      after: { component_ids: chosen, locale: locale ?? row.locale },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id: row.id }));
    return true;
  });
}

/** The languages a subscriber may choose for their messages: the plan's, the page's first. */
export async function offeredLanguages(db: Db): Promise<PageLanguage[]> {
  return planLanguages(await currentPlan(db));
}

/** Unsubscribes the holder of a message's link. Idempotent; false when the token is unknown. */
export async function unsubscribeByToken(ctx: Ctx, token: string, how: string): Promise<boolean> {
  const actor = actingAs(ctx, { id: 'public', role: 'viewer', source: how });
  return withTransaction(actor, async (tx) => {
    const row = await tx.db
      .selectFrom('subscribers')
      .selectAll()
      .where('token', '=', token)
      .executeTakeFirst();
    if (!row) return false;
    if (row.state === 'unsubscribed') return true;
    await unsubscribeRow(tx, row, how);
    return true;
  });
}

async function unsubscribeRow(tx: Ctx, row: SubscriberRow, how: string): Promise<void> {
  const now = tx.clock.now().toISOString();
  await tx.db
    .updateTable('subscribers')
    .set({ state: 'unsubscribed', updated_at: now })
    .where('id', '=', row.id)
    .execute();
  // Anything still queued for them stops here.
  await tx.db
    .updateTable('deliveries')
    .set({ state: 'dead', last_error: 'unsubscribed', updated_at: now })
    .where('subscriber_id', '=', row.id)
    .where('state', 'in', ['pending', 'failed'])
    .execute();
  await audit(tx, {
    action: 'subscriber.unsubscribe',
    subjectType: 'subscriber',
    subjectId: row.id,
    before: { state: row.state },
    after: { state: 'unsubscribed', how },
  });
  onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id: row.id }));
}

/** Twilio's opt-out keywords: the number is unsubscribed from every SMS subscription. */
export const smsStopWords = new Set([
  'STOP',
  'STOPALL',
  'UNSUBSCRIBE',
  'CANCEL',
  'END',
  'QUIT',
  'OPTOUT',
  'REVOKE',
]);

export async function unsubscribeNumber(ctx: Ctx, number: string): Promise<number> {
  const actor = actingAs(ctx, { id: 'sms-stop', role: 'viewer', source: 'sms-stop' });
  return withTransaction(actor, async (tx) => {
    const rows = await tx.db
      .selectFrom('subscribers')
      .selectAll()
      .where('kind', '=', 'sms')
      .where('contact_key', '=', number)
      .where('state', '!=', 'unsubscribed')
      .execute();
    for (const row of rows) await unsubscribeRow(tx, row, 'sms-stop');
    return rows.length;
  });
}
