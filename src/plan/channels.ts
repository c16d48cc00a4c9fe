/**
 * The `channels:` section of crier.yaml: named provider instances with
 * their settings, limits and fallback. Secrets are written `env:NAME` and
 * resolved from an environment map passed in; the resolved values live only
 * in memory and are never logged (`describeChannels` gives a safe view).
 */
import { z } from 'zod';

/** A value that may be given directly or as `env:NAME`. */
const Value = z.string().min(1);

const Limits = {
  /** Fallback channel name, used once this one's retries are spent or its breaker is open. */
  fallback: z.string().min(1).optional(),
  /** Sends in flight at once. */
  concurrency: z.number().int().min(1).max(1000).optional(),
  /** Sends started per second, at most. */
  rate_per_second: z.number().positive().max(100_000).optional(),
  max_attempts: z.number().int().min(1).max(50).optional(),
  /** First retry delay; each retry doubles it, with jitter. */
  retry_base_ms: z.number().int().min(1).max(3_600_000).optional(),
  retry_max_ms: z.number().int().min(1).max(86_400_000).optional(),
  timeout_ms: z.number().int().min(100).max(120_000).optional(),
  /** Consecutive failures that open the circuit breaker, and how long it stays open. */
  breaker_failures: z.number().int().min(1).max(10_000).optional(),
  breaker_cooldown_ms: z.number().int().min(100).max(3_600_000).optional(),
};

const SmsRules = {
  /** The most segments one SMS may use; longer text is shortened. */
  max_segments: z.number().int().min(1).max(10).default(3),
  /** SMS subscribers hear the first and the resolving update only, unless `all`. */
  updates: z.enum(['first_and_resolved', 'all']).default('first_and_resolved'),
};

const Aws = {
  region: z.string().min(1),
  access_key_id: Value,
  secret_access_key: Value,
  session_token: Value.optional(),
  /** Another endpoint than AWS's (a local stand-in, a VPC endpoint). */
  endpoint: z.url().optional(),
};

export const EmailSmtpSettings = z.strictObject({
  type: z.literal('email-smtp'),
  /** smtp://user:pass@host:port or smtps://... */
  url: Value,
  from: z.string().min(3),
  /** Pooled SMTP connections. */
  connections: z.number().int().min(1).max(100).default(5),
  dkim: z
    .strictObject({ domain: z.string().min(1), selector: z.string().min(1), private_key: Value })
    .optional(),
  ...Limits,
});
export const EmailSesSettings = z.strictObject({
  type: z.literal('email-ses'),
  from: z.string().min(3),
  ...Aws,
  ...Limits,
});
export const SmsTwilioSettings = z.strictObject({
  type: z.literal('sms-twilio'),
  account: Value,
  token: Value,
  from: z.string().min(1),
  endpoint: z.url().default('https://api.twilio.com'),
  ...SmsRules,
  ...Limits,
});
export const SmsSnsSettings = z.strictObject({
  type: z.literal('sms-sns'),
  sender_id: z.string().max(11).optional(),
  ...SmsRules,
  ...Aws,
  ...Limits,
});
/** Chat and webhook channels: subscribers bring their own URL; `url` is for notices to an internal room. */
const urlChannel = <T extends string>(type: T) =>
  z.strictObject({ type: z.literal(type), url: Value.optional(), ...Limits });
export const WebhookSettings = urlChannel('webhook').extend({
  /** Secret for notices sent to `url` (subscribers each have their own). */
  secret: Value.optional(),
});
export const WebPushSettings = z.strictObject({
  type: z.literal('webpush'),
  vapid_public_key: Value,
  vapid_private_key: Value,
  /** mailto: or https: contact for the push service. */
  subject: z.string().min(1),
  ...Limits,
});

export const ChannelSettings = z.discriminatedUnion('type', [
  EmailSmtpSettings,
  EmailSesSettings,
  SmsTwilioSettings,
  SmsSnsSettings,
  WebhookSettings,
  urlChannel('slack'),
  urlChannel('teams'),
  urlChannel('discord'),
  urlChannel('mattermost'),
  urlChannel('google-chat'),
  WebPushSettings,
]);
export type ChannelSettings = z.infer<typeof ChannelSettings>;

export const channelName = /^[a-z][a-z0-9_-]{0,62}$/;

export const ChannelsSection = z
  .record(
    z.string().regex(channelName, 'channel names are lowercase letters, digits, - and _'),
    ChannelSettings,
  )
  .superRefine((channels, ctx) => {
    for (const [name, settings] of Object.entries(channels)) {
      if (settings.fallback === undefined) continue;
      if (settings.fallback === name) {
        ctx.addIssue({
          code: 'custom',
          path: [name, 'fallback'],
          message: 'a channel cannot fall back to itself',
        });
      } else if (!(settings.fallback in channels)) {
        ctx.addIssue({
          code: 'custom',
          path: [name, 'fallback'],
          message: `no channel named "${settings.fallback}"`,
        });
      }
    }
  });
export type ChannelsSection = z.infer<typeof ChannelsSection>;
/** The section as written, before defaults apply. */
export type ChannelsInput = z.input<typeof ChannelsSection>;

export interface PlanProblem {
  path: string;
  message: string;
}

/** Replaces every `env:NAME` string with the variable's value; lists each missing one by path. */
export function resolveSecrets(
  section: ChannelsSection,
  env: Readonly<Record<string, string | undefined>>,
  basePath = 'channels',
): { channels: ChannelsSection; problems: PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string' && value.startsWith('env:')) {
      const name = value.slice(4);
      const resolved = env[name];
      if (resolved === undefined || resolved === '') {
        problems.push({ path, message: `environment variable ${name} is not set` });
        return '';
      }
      return resolved;
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}.${i}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, `${path}.${k}`)]));
    }
    return value;
  };
  return { channels: walk(section, basePath) as ChannelsSection, problems };
}

/** A view of the channels safe to show or log: types and limits, no settings that could hold a secret. */
export function describeChannels(
  section: ChannelsSection,
): Record<string, { type: string; fallback?: string }> {
  return Object.fromEntries(
    Object.entries(section).map(([name, s]) => [
      name,
      { type: s.type, ...(s.fallback !== undefined && { fallback: s.fallback }) },
    ]),
  );
}
