/**
 * Adding a subscriber, from the public form, the admin API or an import.
 * What the public form adds is confirmed before anything but the first
 * message reaches it, so the form cannot aim Crier at someone else: an
 * email or SMS gets a confirmation link (a number to call, by text
 * message); a chat room (Slack, Teams,
 * Discord) gets one message with a confirmation link that someone in the
 * room must open; a webhook gets a verification request it must answer by
 * echoing its challenge (docs/channels.md), which also hands over its
 * signing secret, so only the owner of the URL ever learns it. A push
 * subscription, made by the browser itself (or an app's device token, by the
 * app), is confirmed at once and gets
 * a welcome. Staff vouch for what they add through the admin API or an
 * import: confirmed at once, unless `confirm` asks for the same checks.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { newWebhookSecret } from '../../channels/webhook.ts';
import { CrierError } from '../../domain/errors.ts';
import { languageOf } from '../../domain/message-words.ts';
import { isSupportedCountry } from '../../domain/phone-numbers.ts';
import { planLanguages } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import type { SubscriberRow } from '../../store/schema.ts';
import { suppressionOf } from '../../store/suppressions.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { type Contact, ContactFields, contactOf } from './contact.ts';
import { refusePrivateTarget } from './target.ts';
import { type SubscriberView, subscriberView } from './views.ts';

/** A subscriber's language, as a BCP 47 tag (`fr`, `fr-CA`). */
export const Locale = z
  .string()
  .regex(/^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/)
  .max(35);

const SubscribeFields = {
  email: ContactFields.email.optional(),
  phone: z.string().max(40).optional(),
  phone_number: z.string().max(40).optional(),
  /** A phone number to call with each update (a voice subscriber), confirmed by a text message. */
  voice: z.string().max(40).optional(),
  webhook: z.string().max(2000).optional(),
  endpoint: z.string().max(2000).optional(),
  slack: z.string().max(2000).optional(),
  teams: z.string().max(2000).optional(),
  discord: z.string().max(2000).optional(),
  push: z.union([z.string().max(4000), z.record(z.string(), z.unknown())]).optional(),
  /** A company's own mobile app: the device token it was given, and the platform that gave it. */
  device_token: z.string().max(4096).optional(),
  platform: z.string().max(16).optional(),
  component_ids: z
    .union([z.array(z.string().min(1).max(64)).max(500), z.string().max(20_000)])
    .optional()
    .transform((v) => (typeof v === 'string' ? v.split(/[\s,;]+/).filter(Boolean) : v)),
  locale: Locale.optional(),
};

export const PublicSubscribeInput = z.strictObject(SubscribeFields);
export type PublicSubscribeInput = z.input<typeof PublicSubscribeInput>;

export const AddSubscriberInput = z.strictObject({
  ...SubscribeFields,
  audience: z
    .string()
    .regex(/^[a-z][a-z0-9_-]{0,62}$/)
    .default('public'),
  /** Statuspage's: the country a national `phone_number` is read in (`US`); the plan's `page.default_region` otherwise. */
  phone_country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'a two-letter country code')
    .transform((v) => v.toUpperCase())
    .refine(isSupportedCountry, 'a country with a telephone numbering plan')
    .optional(),
  /** Confirm first, as the public form does (a link; a challenge for a webhook), instead of trusting the admin's word. */
  confirm: z.boolean().default(false),
});
export type AddSubscriberInput = z.input<typeof AddSubscriberInput>;

/** A subscriber's manage-and-unsubscribe (or confirmation) token. */
export const token = () => randomBytes(24).toString('base64url');

/** The country national phone numbers are read in: the plan's `page.default_region`. */
export async function defaultRegion(db: Db): Promise<string | undefined> {
  return (await currentPlan(db))?.page?.default_region;
}

/** The one contact the input names, checked; a national phone number is read in `region`. */
export function parseContact(
  input: z.infer<typeof PublicSubscribeInput>,
  region: string | undefined,
): Contact {
  const contact = contactOf(
    {
      email: input.email,
      phone: input.phone ?? input.phone_number,
      voice: input.voice,
      webhook: input.webhook ?? input.endpoint,
      slack: input.slack,
      teams: input.teams,
      discord: input.discord,
      push: input.push,
      device_token: input.device_token,
      platform: input.platform,
    },
    region,
  );
  if (typeof contact === 'string') {
    throw new CrierError('validation_failed', 'The subscription is not valid.', [
      { path: 'contact', message: contact },
    ]);
  }
  return contact;
}

/**
 * A subscriber's locale must be in a language the plan writes messages in
 * (`page.language`, `page.languages`), with or without a region (`fr-CA`):
 * one it does not would silently get another language.
 */
export async function assertLocaleSpoken(db: Db, locale: string | undefined): Promise<void> {
  if (locale === undefined || locale === '') return;
  const spoken = planLanguages(await currentPlan(db));
  const language = languageOf(locale);
  if (language !== null && spoken.includes(language)) return;
  const message = `messages here are written in ${spoken.join(', ')}: choose one of them (or leave "locale" out)`;
  throw new CrierError('validation_failed', `The language "${locale}" is not offered: ${message}.`, [
    { path: 'locale', message },
  ]);
}

export interface UpsertOptions {
  audience: string;
  source: 'public' | 'admin' | 'import';
  /** Confirm before sending anything else: a link for email, SMS and chat, a challenge for a webhook. */
  doubleOptIn: boolean;
  /** Kinds this installation can deliver; others are refused. */
  offered: ReadonlySet<string>;
}

export interface UpsertResult {
  row: SubscriberRow;
  created: boolean;
  confirmationSent: boolean;
  /** It was already confirmed and nothing changed. */
  unchanged: boolean;
}

/**
 * Creates or revives a subscriber inside `tx`. An existing confirmed one is
 * left as it is (a stranger must not be able to change someone's choices).
 */
export async function upsertSubscriber(
  tx: Ctx,
  contact: Contact,
  componentIds: readonly string[],
  locale: string | undefined,
  options: UpsertOptions,
): Promise<UpsertResult> {
  await assertLocaleSpoken(tx.db, locale);
  if (!options.offered.has(contact.kind)) {
    throw new CrierError('channel_not_offered', `Subscriptions by ${contact.kind} are not offered here.`, {
      kind: contact.kind,
    });
  }
  refusePrivateTarget(contact, tx.config.allowPrivateNetwork);
  const now = tx.clock.now().toISOString();
  // A browser's or an app's push subscription was made by the device itself: there is no inbox to confirm.
  const needsConfirm =
    options.doubleOptIn && contact.kind !== 'push' && contact.kind !== 'fcm' && contact.kind !== 'apns';
  // A number to call confirms by the link in a text message: a call cannot carry a link.
  if (needsConfirm && contact.kind === 'voice' && !options.offered.has('sms')) {
    throw new CrierError(
      'channel_not_offered',
      'Subscriptions by voice are confirmed by a text message, and text messages are not offered here.',
      { kind: contact.kind },
    );
  }
  const components = [...new Set(componentIds)];
  const existing = await tx.db
    .selectFrom('subscribers')
    .selectAll()
    .where('audience', '=', options.audience)
    .where('kind', '=', contact.kind)
    .where('contact_key', '=', contact.key)
    .executeTakeFirst();

  if (existing?.state === 'confirmed')
    return { row: existing, created: false, confirmationSent: false, unchanged: true };

  // A suppressed address or number (it bounced, complained, cannot be reached) is kept as asked,
  // disabled: nothing goes to it, not even a confirmation, until an admin clears it.
  const suppression =
    contact.kind === 'email' || contact.kind === 'sms'
      ? await suppressionOf(tx.db, contact.kind, contact.key)
      : undefined;
  const disabledReason = suppression ? `suppressed: ${suppression.reason}` : null;
  const state = suppression ? 'disabled' : needsConfirm ? 'pending' : 'confirmed';
  const confirmToken = needsConfirm ? token() : null;
  let row: SubscriberRow;
  if (existing) {
    row = {
      ...existing,
      state,
      // Links already sent keep working: a second request re-sends the same token.
      confirm_token: needsConfirm ? (existing.confirm_token ?? confirmToken) : existing.confirm_token,
      all_components: components.length === 0 ? 1 : 0,
      component_ids: JSON.stringify(components),
      locale: locale ?? existing.locale,
      disabled_reason: disabledReason,
      updated_at: now,
      confirmed_at: needsConfirm ? null : now,
    };
    await tx.db
      .updateTable('subscribers')
      .set({
        state: row.state,
        confirm_token: row.confirm_token,
        all_components: row.all_components,
        component_ids: row.component_ids,
        locale: row.locale,
        disabled_reason: disabledReason,
        updated_at: now,
        confirmed_at: row.confirmed_at,
      })
      .where('id', '=', existing.id)
      .execute();
    await tx.db.deleteFrom('subscriber_components').where('subscriber_id', '=', existing.id).execute();
  } else {
    row = {
      id: newId(),
      audience: options.audience,
      kind: contact.kind,
      contact: contact.value,
      contact_key: contact.key,
      state,
      all_components: components.length === 0 ? 1 : 0,
      component_ids: JSON.stringify(components),
      locale: locale ?? null,
      token: token(),
      confirm_token: confirmToken,
      secret: contact.kind === 'webhook' ? newWebhookSecret() : null,
      source: options.source,
      disabled_reason: disabledReason,
      created_at: now,
      updated_at: now,
      confirmed_at: needsConfirm ? null : now,
      page_links_from: null,
    };
    await tx.db.insertInto('subscribers').values(row).execute();
  }
  if (components.length > 0) {
    await tx.db
      .insertInto('subscriber_components')
      .values(components.map((component_id) => ({ subscriber_id: row.id, component_id })))
      .execute();
  }
  // The first message: a verification request (webhook) or a confirmation link, or a welcome (push).
  const first = suppression
    ? null
    : needsConfirm
      ? contact.kind === 'webhook'
        ? 'verification'
        : 'confirmation'
      : options.source === 'public'
        ? 'welcome'
        : null;
  if (first) {
    await tx.db
      .insertInto('deliveries')
      .values({
        id: newId(),
        subject_type: first,
        subject_id: `${first}:${row.id}:${now}`,
        incident_id: null,
        subscriber_id: row.id,
        // The confirmation link of a number to call goes by text message, to the same number.
        channel: first === 'confirmation' && row.kind === 'voice' ? 'sms' : row.kind,
        via: null,
        state: 'pending',
        attempts: 0,
        next_attempt_at: now,
        lease_until: null,
        provider_id: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
      })
      .onConflict((oc) => oc.columns(['subject_id', 'subscriber_id', 'channel']).doNothing())
      .execute();
  }
  return {
    row,
    created: existing === undefined,
    confirmationSent: needsConfirm && !suppression,
    unchanged: false,
  };
}

/** The admin adds one subscriber (confirmed at once unless `confirm` asks for double opt-in). */
export async function addSubscriber(
  ctx: Ctx,
  raw: AddSubscriberInput,
  offered: ReadonlySet<string>,
): Promise<SubscriberView> {
  authorize(ctx, 'subscriber.write');
  const input = AddSubscriberInput.parse(raw);
  const contact = parseContact(input, input.phone_country ?? (await defaultRegion(ctx.db)));
  return withTransaction(ctx, async (tx) => {
    await requireComponents(tx.db, input.component_ids ?? []);
    const result = await upsertSubscriber(tx, contact, input.component_ids ?? [], input.locale, {
      audience: input.audience,
      source: 'admin',
      doubleOptIn: input.confirm,
      offered,
    });
    if (result.unchanged) {
      throw new CrierError('conflict', 'This contact is already subscribed.', { id: result.row.id });
    }
    await audit(tx, {
      action: 'subscriber.add',
      subjectType: 'subscriber',
      subjectId: result.row.id,
      after: { kind: result.row.kind, audience: result.row.audience, state: result.row.state },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id: result.row.id }));
    return subscriberView(result.row, true);
  });
}
