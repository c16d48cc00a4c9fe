/**
 * What every AWS client of Crier's shares (SES v2, SNS, the S3 export):
 * the region, the endpoint, the credentials and the timeouts, and how an
 * SDK error becomes a send result. Keys given in the plan are used as they
 * are; without them the SDK's default chain finds them (environment, shared
 * config and SSO profiles, ECS and EC2 roles), refreshing temporary ones by
 * itself (docs/adr/0005-aws-through-the-sdk.md).
 */
import type { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { SendResult } from './types.ts';
import { httpFailure, networkFailure } from './types.ts';

export interface AwsAccess {
  readonly region: string;
  /** Another endpoint than AWS's: a VPC endpoint, an S3-compatible store, a local stand-in. */
  readonly endpoint?: string | undefined;
  readonly accessKeyId?: string | undefined;
  readonly secretAccessKey?: string | undefined;
  readonly sessionToken?: string | undefined;
  /** A named profile of the shared config files, when the keys are not given. */
  readonly profile?: string | undefined;
  readonly timeoutMs: number;
  readonly userAgent?: string | undefined;
}

/**
 * The options every SDK client takes. One attempt per call: the delivery
 * worker and the exporter own retries, backoff and circuit breaking.
 */
export function awsClientConfig(access: AwsAccess) {
  return {
    region: access.region,
    ...(access.endpoint && { endpoint: access.endpoint }),
    credentials:
      access.accessKeyId && access.secretAccessKey
        ? {
            accessKeyId: access.accessKeyId,
            secretAccessKey: access.secretAccessKey,
            ...(access.sessionToken && { sessionToken: access.sessionToken }),
          }
        : defaultChain(access.profile),
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: access.timeoutMs,
      requestTimeout: access.timeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(access.userAgent && { customUserAgent: access.userAgent }),
  };
}

type CredentialProvider = ReturnType<typeof fromNodeProviderChain>;

/**
 * The SDK's default chain, loaded on the first call: the SDK is large, and a
 * process that never talks to AWS should not pay for loading it. The chain
 * caches what it found and refreshes it before it expires.
 */
function defaultChain(profile: string | undefined): CredentialProvider {
  let chain: CredentialProvider | undefined;
  return async (options) => {
    chain ??= (await import('@aws-sdk/credential-providers')).fromNodeProviderChain(
      profile ? { profile } : {},
    );
    return chain(options);
  };
}

/**
 * One SDK client, made on first use from its module, loaded then (see
 * `defaultChain`); every later call gets the same module and client.
 */
export function lazySdk<M, C extends { destroy(): void }>(load: () => Promise<M>, make: (module: M) => C) {
  let loaded: Promise<{ sdk: M; client: C }> | undefined;
  return {
    get: () => {
      loaded ??= load().then((sdk) => ({ sdk, client: make(sdk) }));
      return loaded;
    },
    close: async () => {
      if (loaded) (await loaded).client.destroy();
    },
  };
}

/** A channel's AWS settings as the plan writes them (`Aws` in settings.ts, and the limits). */
interface AwsChannelSettings {
  readonly region: string;
  readonly endpoint?: string | undefined;
  readonly access_key_id?: string | undefined;
  readonly secret_access_key?: string | undefined;
  readonly session_token?: string | undefined;
  readonly profile?: string | undefined;
  readonly timeout_ms?: number | undefined;
}

export function awsChannelConfig(s: AwsChannelSettings, userAgent: string) {
  return awsClientConfig({
    region: s.region,
    endpoint: s.endpoint,
    accessKeyId: s.access_key_id,
    secretAccessKey: s.secret_access_key,
    sessionToken: s.session_token,
    profile: s.profile,
    timeoutMs: s.timeout_ms ?? 15_000,
    userAgent,
  });
}

/** The parts of an SDK service exception Crier reads; anything else is a network failure. */
interface AwsError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

const throttled = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);

/** An SDK failure as a send result: throttling, 5xx and 429 retried, other 4xx not. */
export function awsFailure(err: unknown): SendResult {
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsError;
  const status = e.$metadata?.httpStatusCode;
  if (status === undefined) return networkFailure(err);
  const reason = `${e.name ?? 'Error'}${e.message ? `: ${e.message}` : ''}`;
  if (e.name && throttled.has(e.name)) return { ok: false, retry: true, reason: `AWS ${reason}` };
  return httpFailure(status, reason, e.$response?.headers?.['retry-after']);
}
