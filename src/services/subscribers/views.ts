import { z } from 'zod';
import { subscriberKinds } from '../../channels/types.ts';
import { componentIdsOf } from '../../store/json.ts';
import { type SubscriberRow, subscriberStates } from '../../store/schema.ts';
import { viewOf } from '../view-of.ts';

export const SubscriberView = z
  .object({
    id: z.string(),
    audience: z.string(),
    kind: z.enum(subscriberKinds),
    email: z
      .string()
      .nullable()
      .describe('The contact, named as Statuspage names it: email, phone or endpoint.'),
    phone_number: z.string().nullable(),
    endpoint: z.string().nullable(),
    state: z.enum(subscriberStates),
    mode: z.string(),
    all_components: z.boolean(),
    component_ids: z.array(z.string()),
    locale: z.string().nullable(),
    source: z.string(),
    disabled_reason: z.string().nullable(),
    created_at: z.string(),
    confirmed_at: z.string().nullable(),
    secret: z
      .string()
      .optional()
      .describe('Webhook subscribers only, and only to an admin: the Standard Webhooks signing secret.'),
  })
  .meta({ id: 'Subscriber' });
export type SubscriberView = z.infer<typeof SubscriberView>;

const subscriberColumns = [
  'id',
  'audience',
  'kind',
  'state',
  'locale',
  'source',
  'disabled_reason',
  'created_at',
  'confirmed_at',
] as const;

export function subscriberView(row: SubscriberRow, withSecret = false): SubscriberView {
  return viewOf(SubscriberView, subscriberColumns, row, {
    email: row.kind === 'email' ? row.contact : null,
    phone_number: row.kind === 'sms' || row.kind === 'voice' ? row.contact : null,
    endpoint: row.kind !== 'email' && row.kind !== 'sms' && row.kind !== 'voice' ? row.contact : null,
    mode: row.kind,
    all_components: row.all_components === 1,
    component_ids: componentIdsOf(row),
    secret: withSecret && row.secret !== null ? row.secret : undefined,
  });
}
