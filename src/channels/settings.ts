/**
 * Settings every channel module builds its own from: a plain value, a
 * secret (written `env:NAME` in the plan), the limits and failure policy the
 * delivery worker applies to any channel, and the pieces several providers
 * share (SMS rules, AWS). A module's settings schema is its own fields plus
 * `type` and `Limits` (see `defineChannel` in types.ts).
 */
import { z } from 'zod';

/** A value that may be given directly or as `env:NAME`. */
export const Value = z.string().min(1);

/** A secret: give it as `env:NAME` so the plan (kept in git) never holds it. */
export const Secret = z
  .string()
  .min(1)
  .describe('A secret: write env:NAME to read it from the environment when the plan is taken up.');

export const Limits = {
  fallback: z
    .string()
    .min(1)
    .optional()
    .describe('Another channel serving the same subscribers, used while this one fails.'),
  concurrency: z.number().int().min(1).max(1000).optional().describe('Sends in flight at once.'),
  rate_per_second: z
    .number()
    .positive()
    .max(100_000)
    .optional()
    .describe('Sends started per second, at most.'),
  max_attempts: z.number().int().min(1).max(50).optional().describe('Attempts before a delivery is dead.'),
  retry_base_ms: z
    .number()
    .int()
    .min(1)
    .max(3_600_000)
    .optional()
    .describe('First retry delay; each retry doubles it, with jitter.'),
  retry_max_ms: z.number().int().min(1).max(86_400_000).optional(),
  timeout_ms: z.number().int().min(100).max(120_000).optional().describe('Per request.'),
  breaker_failures: z
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Consecutive retryable failures that open the circuit breaker.'),
  breaker_cooldown_ms: z.number().int().min(100).max(3_600_000).optional(),
};

export const SmsRules = {
  max_segments: z
    .number()
    .int()
    .min(1)
    .max(10)
    .default(3)
    .describe('The most segments one SMS may use; longer text is shortened.'),
  updates: z
    .enum(['first_and_resolved', 'all'])
    .default('first_and_resolved')
    .describe('SMS subscribers hear the first and the resolving update only, unless `all`.'),
};

/** An incoming-webhook chat room: subscribers bring their own URL; `url` is for notices to a room of yours. */
export const NoticeUrl = {
  url: Secret.optional().describe('An incoming-webhook URL of your own room, for notices (a secret).'),
};

/**
 * Amazon Web Services channels: the region, and the keys when the plan gives
 * them; without keys, the SDK's default chain finds credentials (environment,
 * shared config and SSO profiles, ECS and EC2 roles).
 */
export const Aws = {
  region: z.string().min(1),
  access_key_id: Secret.optional().describe(
    'A secret (write env:NAME), with secret_access_key; leave both out to use the AWS SDK’s default chain.',
  ),
  secret_access_key: Secret.optional(),
  session_token: Secret.optional(),
  profile: z
    .string()
    .min(1)
    .optional()
    .describe('A profile of the shared AWS config files, when the keys are not given.'),
  endpoint: z.url().optional().describe('Another endpoint than AWS’s (a VPC endpoint, a local stand-in).'),
};

/** Both keys or neither: one alone is a mistake, not a reason to fall back to the default chain. */
export function awsKeysCheck(s: {
  access_key_id?: string | undefined;
  secret_access_key?: string | undefined;
}) {
  return !s.access_key_id === !s.secret_access_key
    ? undefined
    : 'access_key_id and secret_access_key go together (or leave both out to use the default chain)';
}
