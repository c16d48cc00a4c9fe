/**
 * A person's data (docs/operations.md, a person's data): everything Crier
 * holds about one email address or phone number, exported as JSON, and
 * erased. Erasure deletes the subscriptions, their component choices, their
 * deliveries (added first to the per-update counts the reports read, as
 * retention does), and the suppression; what was sent and how it went stays
 * counted. Their votes on updates stay counted too, without their comments
 * and no longer tied to the subscription they came through. The audit log, append-only, never holds a subscriber's contact:
 * it names subscriptions and suppressions by id, and these two verbs by a
 * fingerprint of the contact, so erasure leaves nothing of it there.
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { addToDeliveryCounts } from '../../store/retention.ts';
import type { SubscriberRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { contactOf } from './contact.ts';
import { defaultRegion } from './subscribe.ts';
import { SubscriberView, subscriberView } from './views.ts';

export const PersonInput = z.strictObject({
  /** An email address, or a phone number (E.164, or national in the plan's default region). */
  contact: z.string().trim().min(3).max(254),
});
export type PersonInput = z.infer<typeof PersonInput>;

const DeliveryRecord = z.object({
  id: z.string(),
  subscriber_id: z.string(),
  subject_type: z.string(),
  subject_id: z.string(),
  incident_id: z.string().nullable(),
  channel: z.string(),
  via: z.string().nullable(),
  state: z.string(),
  attempts: z.number().int(),
  provider_id: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  sent_at: z.string().nullable(),
});

/** A vote cast through the link in a message to one of the person's subscriptions. */
const FeedbackRecord = z.object({
  subscriber_id: z.string(),
  update_id: z.string(),
  incident_id: z.string(),
  helpful: z.boolean(),
  comment: z.string().nullable(),
  created_at: z.string(),
  changed_at: z.string(),
});

const AuditMention = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject_type: z.string(),
  subject_id: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
});

export const PersonExport = z
  .object({
    contact: z.string(),
    kind: z.enum(['email', 'sms']),
    exported_at: z.string(),
    subscribers: z.array(SubscriberView),
    deliveries: z.array(DeliveryRecord),
    feedback: z.array(FeedbackRecord),
    suppression: z
      .object({
        reason: z.string(),
        source: z.string(),
        detail: z.string().nullable(),
        soft_bounces: z.number().int(),
        suppressed_at: z.string().nullable(),
        first_at: z.string(),
        last_at: z.string(),
      })
      .nullable(),
    audit: z.array(AuditMention),
  })
  .meta({ id: 'PersonExport' });
export type PersonExport = z.infer<typeof PersonExport>;

export const PersonErased = z.object({
  fingerprint: z.string(),
  subscribers: z.number().int(),
  deliveries: z.number().int(),
  /** Votes kept as counts: their comments removed, their link to the subscription cut. */
  feedback: z.number().int(),
  suppressions: z.number().int(),
});
export type PersonErased = z.infer<typeof PersonErased>;

interface Person {
  kind: 'email' | 'sms';
  key: string;
}

/** The contact as subscribers hold it: an address lower-cased, a number in E.164. */
async function personOf(ctx: Ctx, input: PersonInput): Promise<Person> {
  const { contact } = PersonInput.parse(input);
  const parsed = contact.includes('@')
    ? contactOf({ email: contact }, undefined)
    : contactOf({ phone: contact }, await defaultRegion(ctx.db));
  if (typeof parsed === 'string') {
    throw new CrierError('validation_failed', 'The contact is not an email address or a phone number.', [
      { path: 'contact', message: parsed },
    ]);
  }
  if (parsed.kind !== 'email' && parsed.kind !== 'sms') {
    throw new CrierError('validation_failed', 'The contact is not an email address or a phone number.');
  }
  return { kind: parsed.kind, key: parsed.key };
}

/** A stable name for the contact in the audit log, which must not hold the contact itself. */
function fingerprint(person: Person): string {
  return `sha256:${createHash('sha256').update(`${person.kind}:${person.key}`).digest('hex').slice(0, 16)}`;
}

/** A number is held by its text-message and its voice subscriptions alike. */
function subscribersOf(ctx: Ctx, person: Person): Promise<SubscriberRow[]> {
  return ctx.db
    .selectFrom('subscribers')
    .selectAll()
    .where('kind', 'in', person.kind === 'sms' ? ['sms', 'voice'] : [person.kind])
    .where('contact_key', '=', person.key)
    .orderBy('created_at')
    .execute();
}

/** `%needle%` for LIKE, with the pattern characters an address may hold escaped. */
function containing(needle: string): string {
  return `%${needle.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function mentions(ctx: Ctx, ids: readonly string[], contacts: readonly string[]) {
  return ctx.db
    .selectFrom('audit_log')
    .selectAll()
    .where((eb) =>
      eb.or([
        ...(ids.length > 0 ? [eb('subject_id', 'in', ids)] : []),
        ...contacts.flatMap((c) => [
          eb('before', 'like', sql<string>`${containing(c)} escape '\\'`),
          eb('after', 'like', sql<string>`${containing(c)} escape '\\'`),
          eb('actor', '=', `user:${c}`),
        ]),
      ]),
    )
    .orderBy('id')
    .execute();
}

const parsed = (text: string | null): unknown => {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Everything held about one address or number, as JSON. */
export async function exportPerson(ctx: Ctx, input: PersonInput): Promise<PersonExport> {
  authorize(ctx, 'person.data');
  const person = await personOf(ctx, input);
  return withTransaction(ctx, async (tx) => {
    const rows = await subscribersOf(tx, person);
    const ids = rows.map((r) => r.id);
    const contacts = [...new Set([person.key, ...rows.map((r) => r.contact)])];
    const deliveries =
      ids.length === 0
        ? []
        : await tx.db
            .selectFrom('deliveries')
            .select([
              'id',
              'subscriber_id',
              'subject_type',
              'subject_id',
              'incident_id',
              'channel',
              'via',
              'state',
              'attempts',
              'provider_id',
              'last_error',
              'created_at',
              'sent_at',
            ])
            .where('subscriber_id', 'in', ids)
            .orderBy('created_at')
            .orderBy('id')
            .execute();
    const votes =
      ids.length === 0
        ? []
        : await tx.db
            .selectFrom('feedback_votes')
            .select([
              'subscriber_id',
              'update_id',
              'incident_id',
              'helpful',
              'comment',
              'created_at',
              'changed_at',
            ])
            .where('subscriber_id', 'in', ids)
            .orderBy('created_at')
            .orderBy('id')
            .execute();
    const suppression = await tx.db
      .selectFrom('suppressions')
      .select(['id', 'reason', 'source', 'detail', 'soft_bounces', 'suppressed_at', 'first_at', 'last_at'])
      .where('kind', '=', person.kind)
      .where('contact_key', '=', person.key)
      .executeTakeFirst();
    const subjects = suppression ? [...ids, suppression.id] : ids;
    const audited = (await mentions(tx, subjects, contacts)).map((a) => ({
      id: a.id,
      at: a.at,
      actor: a.actor,
      action: a.action,
      subject_type: a.subject_type,
      subject_id: a.subject_id,
      before: parsed(a.before),
      after: parsed(a.after),
    }));
    await audit(tx, {
      action: 'person.export',
      subjectType: 'person',
      subjectId: fingerprint(person),
      after: { subscribers: rows.length, deliveries: deliveries.length, feedback: votes.length },
    });
    return {
      contact: person.key,
      kind: person.kind,
      exported_at: tx.clock.now().toISOString(),
      subscribers: rows.map((r) => subscriberView(r, true)),
      deliveries,
      feedback: votes.map((v) => ({ ...v, subscriber_id: v.subscriber_id ?? '', helpful: v.helpful === 1 })),
      suppression: suppression
        ? {
            reason: suppression.reason,
            source: suppression.source,
            detail: suppression.detail,
            soft_bounces: suppression.soft_bounces,
            suppressed_at: suppression.suppressed_at,
            first_at: suppression.first_at,
            last_at: suppression.last_at,
          }
        : null,
      audit: audited,
    };
  });
}

/** Erases one address or number: the contact goes, the counts stay. */
export async function forgetPerson(ctx: Ctx, input: PersonInput): Promise<PersonErased> {
  authorize(ctx, 'person.data');
  const person = await personOf(ctx, input);
  const erased = await withTransaction(ctx, async (tx) => {
    const rows = await subscribersOf(tx, person);
    const ids = rows.map((r) => r.id);
    let deliveries = 0;
    let feedback = 0;
    if (ids.length > 0) {
      const gone = await tx.db
        .deleteFrom('deliveries')
        .where('subscriber_id', 'in', ids)
        .returning(['subject_id', 'subject_type', 'channel', 'state'])
        .execute();
      await addToDeliveryCounts(tx.db, gone);
      deliveries = gone.length;
      // Each vote still counts in the reviews (a subscriber's, once per update), tied to no one.
      const votes = await tx.db
        .updateTable('feedback_votes')
        .set({ subscriber_id: sql<string>`'erased:' || id`, comment: null })
        .where('subscriber_id', 'in', ids)
        .executeTakeFirst();
      feedback = Number(votes.numUpdatedRows);
      await tx.db.deleteFrom('subscriber_components').where('subscriber_id', 'in', ids).execute();
      await tx.db.deleteFrom('subscribers').where('id', 'in', ids).execute();
    }
    const suppressions = Number(
      (
        await tx.db
          .deleteFrom('suppressions')
          .where('kind', '=', person.kind)
          .where('contact_key', '=', person.key)
          .executeTakeFirst()
      ).numDeletedRows,
    );
    const result: PersonErased = {
      fingerprint: fingerprint(person),
      subscribers: ids.length,
      deliveries,
      feedback,
      suppressions,
    };
    await audit(tx, {
      action: 'person.forget',
      subjectType: 'person',
      subjectId: result.fingerprint,
      after: { ...result, fingerprint: undefined },
    });
    for (const id of ids) onCommit(tx, () => tx.changes.publish({ kind: 'subscriber', id }));
    return result;
  });
  return erased;
}
