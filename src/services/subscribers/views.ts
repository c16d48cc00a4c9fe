import type { SubscriberRow } from '../../store/schema.ts';

export interface SubscriberView {
  id: string;
  audience: string;
  kind: string;
  /** email, phone, or endpoint, named as Statuspage names them. */
  email: string | null;
  phone_number: string | null;
  endpoint: string | null;
  state: string;
  mode: string;
  all_components: boolean;
  component_ids: string[];
  locale: string | null;
  source: string;
  disabled_reason: string | null;
  created_at: string;
  confirmed_at: string | null;
  /** Webhook subscribers only, and only to an admin: the Standard Webhooks signing secret. */
  secret?: string;
}

export function subscriberView(row: SubscriberRow, withSecret = false): SubscriberView {
  return {
    id: row.id,
    audience: row.audience,
    kind: row.kind,
    email: row.kind === 'email' ? row.contact : null,
    phone_number: row.kind === 'sms' ? row.contact : null,
    endpoint: row.kind !== 'email' && row.kind !== 'sms' ? row.contact : null,
    state: row.state,
    mode: row.kind === 'sms' ? 'sms' : row.kind,
    all_components: row.all_components === 1,
    component_ids: JSON.parse(row.component_ids) as string[],
    locale: row.locale,
    source: row.source,
    disabled_reason: row.disabled_reason,
    created_at: row.created_at,
    confirmed_at: row.confirmed_at,
    ...(withSecret && row.secret !== null && { secret: row.secret }),
  };
}
