/**
 * What a subscriber can leave as a contact, checked and normalised: one
 * schema per kind. The normalised form (`key`) is what makes a contact
 * unique within an audience.
 */

import { z } from 'zod';
import { type MobilePlatform, mobilePlatforms, type SubscriberKind } from '../../channels/types.ts';
import { PushSubscription } from '../../channels/webpush.ts';
import { isSupportedCountry, parsePhoneNumber } from '../../domain/phone-numbers.ts';

const httpsUrl = () => z.url({ protocol: /^https?$/ }).max(2000);

/**
 * A subscriber's phone number, checked against the numbering plan of its
 * country (libphonenumber's full metadata: a number too short or in a range
 * no operator was given is refused) and stored as E.164. With the plan's
 * `page.default_region`, a national form is read in that country.
 */
function phoneNumberOf(text: string, region: string | undefined): string | { problem: string } {
  // The plan checks default_region with isSupportedCountry; asked again here, it types the region.
  const country = region !== undefined && isSupportedCountry(region) ? region : undefined;
  const number = parsePhoneNumber(text, country);
  if (number?.isValid()) return number.number;
  return {
    problem: region
      ? `is not a valid phone number: write it with + and the country code (+14155550100), or as a national number of ${region}`
      : 'is not a valid phone number: write it with + and the country code, such as +14155550100',
  };
}

export const ContactFields = {
  email: z.email().max(254),
  phone: z.string().max(40),
  /** A phone number to call (voice), read as `phone` is. */
  voice: z.string().max(40),
  webhook: httpsUrl(),
  // Any URL: Slack- and Discord-compatible receivers exist (Mattermost, self-hosted bridges); the
  // private-network guard, not a host list, is what keeps these requests where they belong.
  slack: httpsUrl(),
  teams: httpsUrl(),
  discord: httpsUrl(),
  push: z.union([PushSubscription, z.string().max(4000)]),
  /** A mobile app's device token, with its `platform`. */
  device_token: z.string().min(1).max(4096),
};

/** What a device token looks like on each platform: APNs' hex, FCM's registration token. */
const deviceTokens: Record<MobilePlatform, { pattern: RegExp; says: string }> = {
  apns: { pattern: /^[0-9a-fA-F]{64,200}$/, says: 'an APNs device token is 64 or more hexadecimal digits' },
  fcm: {
    pattern: /^[A-Za-z0-9_:.-]{20,4096}$/,
    says: 'an FCM registration token is letters, digits, -, _, : and .',
  },
};

function isMobilePlatform(value: unknown): value is MobilePlatform {
  return mobilePlatforms.some((p) => p === value);
}

/** An app's device token on its platform, as stored, or what is wrong. */
function deviceOf(token: string, platform: unknown): Contact | string {
  if (!isMobilePlatform(platform)) return `platform: give ${mobilePlatforms.join(' or ')} with device_token`;
  const rule = deviceTokens[platform];
  if (!rule.pattern.test(token)) return `device_token: ${rule.says}`;
  const value = platform === 'apns' ? token.toLowerCase() : token;
  return { kind: platform, value, key: value };
}

/** Which input field names which kind of subscriber. */
// Object.keys gives strings; these are ContactFields' own keys, so the cast narrows nothing it does not hold.
const contactFields = Object.keys(ContactFields) as (keyof typeof ContactFields)[];

const contactFieldKinds: Record<keyof typeof ContactFields, SubscriberKind> = {
  email: 'email',
  phone: 'sms',
  voice: 'voice',
  webhook: 'webhook',
  slack: 'slack',
  teams: 'teams',
  discord: 'discord',
  push: 'push',
  device_token: 'fcm',
};

export interface Contact {
  kind: SubscriberKind;
  /** As stored and used to send. */
  value: string;
  /** Normalised, for uniqueness. */
  key: string;
}

/**
 * The one contact in an input that names exactly one, or what is wrong.
 * `region` is the plan's `page.default_region`, for national phone numbers.
 */
export function contactOf(
  input: Partial<Record<keyof typeof ContactFields | 'platform', unknown>>,
  region: string | undefined,
): Contact | string {
  if (input.platform !== undefined && input.platform !== null && input.device_token === undefined)
    return 'platform: give it with device_token';
  const given = contactFields.filter((k) => input[k] !== undefined && input[k] !== null && input[k] !== '');
  const [field] = given;
  if (given.length !== 1 || field === undefined) return `give exactly one of ${contactFields.join(', ')}`;
  const kind = contactFieldKinds[field];
  const parsed = ContactFields[field].safeParse(input[field]);
  if (!parsed.success) return `${field}: ${parsed.error.issues[0]?.message ?? 'is not valid'}`;
  const data = parsed.data;
  if (field === 'phone' || field === 'voice') {
    const number = phoneNumberOf(String(data), region);
    if (typeof number !== 'string') return `${field}: ${number.problem}`;
    return { kind, value: number, key: number };
  }
  if (field === 'device_token') return deviceOf(String(data), input.platform);
  if (field === 'push') {
    const sub = PushSubscription.safeParse(typeof data === 'string' ? safeJson(data) : data);
    if (!sub.success) return 'push: must be a PushSubscription with endpoint and keys';
    return { kind, value: JSON.stringify(sub.data), key: sub.data.endpoint };
  }
  const value = String(data);
  return { kind, value, key: field === 'email' ? value.toLowerCase() : value };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The contact with most of it hidden, for pages anyone holding a link can open. */
export function maskContact(kind: string, value: string): string {
  if (kind === 'email') {
    const [local = '', domain = ''] = value.split('@');
    return `${local.slice(0, 1)}…@${domain}`;
  }
  if (kind === 'sms' || kind === 'voice') return `${value.slice(0, 3)}…${value.slice(-2)}`;
  if (kind === 'push') return 'this browser';
  if (isMobilePlatform(kind)) return `this device (…${value.slice(-4)})`;
  try {
    return new URL(value).host;
  } catch {
    return kind;
  }
}
