/**
 * Suppressed contacts (src/store/suppressions.ts): email addresses and phone
 * numbers that get nothing more. Part of the one schema in schema.ts.
 */
import type { SubscriberKind } from '../channels/types.ts';

/** Why a contact gets nothing more (docs/operations.md, bounces and complaints). */
export const suppressionReasons = ['hard_bounce', 'soft_bounce', 'complaint', 'undeliverable'] as const;
export type SuppressionReason = (typeof suppressionReasons)[number];

export interface SuppressionTable {
  id: string;
  /** `email` or `sms`. */
  kind: SubscriberKind;
  /** The contact normalised as subscribers.contact_key holds it. */
  contact_key: string;
  reason: SuppressionReason;
  /** Who said so: `ses`, `twilio`, or the channel whose send was refused. */
  source: string;
  /** The provider's words (a diagnostic code, an error code), cut short. */
  detail: string | null;
  soft_bounces: number;
  /** Null while soft bounces are still under the threshold. */
  suppressed_at: string | null;
  first_at: string;
  last_at: string;
}
