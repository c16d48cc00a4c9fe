/**
 * Why the subscribe or manage form was refused, in the reader's language.
 * The API's errors stay English and exact (their messages name fields and
 * values, docs/errors.md); a reader of the form gets one sentence from the
 * page's catalog instead, chosen by the error's code and, for
 * `validation_failed`, by the field its first detail names.
 */
import type { CrierError } from '../../domain/errors.ts';

/** The catalog keys a refusal can be told with (src/statuspage/messages/). */
export const refusalKeys = [
  'refused.rate_limited',
  'refused.channel_not_offered',
  'refused.email',
  'refused.phone',
  'refused.address',
  'refused.one_contact',
  'refused.locale',
  'refused.components',
  'refused.unavailable',
  'refused.invalid',
] as const;
export type RefusalKey = (typeof refusalKeys)[number];

/** The form's fields, by what is wrong with them when the API names them. */
const byField: Record<string, RefusalKey> = {
  email: 'refused.email',
  phone: 'refused.phone',
  phone_number: 'refused.phone',
  voice: 'refused.phone',
  webhook: 'refused.address',
  endpoint: 'refused.address',
  slack: 'refused.address',
  teams: 'refused.address',
  discord: 'refused.address',
  push: 'refused.address',
  locale: 'refused.locale',
  component_ids: 'refused.components',
};

/**
 * The field a validation error is about: its first detail's path, or for a
 * contact that could not be read (`path: "contact"`), the field its message
 * starts with (`phone: is not a valid phone number…`).
 */
function fieldOf(details: unknown): string | undefined {
  if (!Array.isArray(details)) return undefined;
  const first: unknown = details[0];
  if (first === null || typeof first !== 'object') return undefined;
  const { path, message } = first as { path?: unknown; message?: unknown };
  if (typeof path !== 'string') return undefined;
  if (path !== 'contact') return path.split('.')[0];
  const named = typeof message === 'string' ? /^([a-z_]+):/.exec(message)?.[1] : undefined;
  return named ?? 'contact';
}

export function refusalKey(e: CrierError): RefusalKey {
  switch (e.code) {
    case 'rate_limited':
      return 'refused.rate_limited';
    case 'channel_not_offered':
      return 'refused.channel_not_offered';
    case 'database_unavailable':
    case 'internal_error':
      return 'refused.unavailable';
    case 'validation_failed': {
      const field = fieldOf(e.details);
      if (field === 'contact') return 'refused.one_contact';
      return (
        (field !== undefined && Object.hasOwn(byField, field) ? byField[field] : undefined) ??
        'refused.invalid'
      );
    }
    default:
      return 'refused.invalid';
  }
}
