/**
 * The one small interface every provider implements. A channel module turns
 * a rendered message into the provider's request; the delivery worker owns
 * retries, rate limits, circuit breaking and fallback.
 */

/** The kinds of contact a subscriber can leave. */
export const subscriberKinds = ['email', 'sms', 'webhook', 'slack', 'teams', 'discord', 'push'] as const;
export type SubscriberKind = (typeof subscriberKinds)[number];

/** The providers Crier can talk to; each has one module in src/channels. */
export const channelTypes = [
  'email-smtp',
  'email-ses',
  'sms-twilio',
  'sms-sns',
  'webhook',
  'slack',
  'teams',
  'discord',
  'mattermost',
  'google-chat',
  'webpush',
] as const;
export type ChannelType = (typeof channelTypes)[number];

/** A Statuspage-shaped webhook event (see src/channels/statuspage-payload.ts). */
export type WebhookEvent = Record<string, unknown>;

/** What every channel renders from: one update, notice or confirmation, already in words. */
export interface Message {
  /** Stable across retries and crashes (the delivery id): receivers drop duplicates by it. */
  readonly id: string;
  readonly kind: 'incident' | 'maintenance' | 'confirmation' | 'welcome' | 'notice';
  /** Email subject, chat title. */
  readonly title: string;
  /** Plain text body, without links. */
  readonly text: string;
  /** Incident or maintenance status (`investigating`, `in_progress`...), when there is one. */
  readonly status?: string;
  /** `none` | `minor` | `major` | `critical` | `maintenance`, for colours in chat. */
  readonly impact?: string;
  /** The page for this incident or maintenance. */
  readonly url?: string;
  /** Where the subscriber manages preferences (the GET unsubscribe page). */
  readonly manageUrl?: string;
  /** The RFC 8058 one-click unsubscribe target (POST). */
  readonly unsubscribeUrl?: string;
  /** A link the subscriber follows to confirm (confirmation messages only). */
  readonly confirmUrl?: string;
  /** The Statuspage-compatible body a webhook subscriber receives. */
  readonly event?: WebhookEvent;
  /** `event` already serialized, byte for byte `JSON.stringify(event)`, when the renderer had it ready. */
  readonly eventJson?: string;
  readonly drill?: boolean;
}

/** Who a message goes to: the subscriber's contact as stored. */
export interface Target {
  /** Email address, E.164 number, URL, or web push subscription JSON. */
  readonly contact: string;
  /** Standard Webhooks secret for webhook subscribers. */
  readonly secret?: string | null;
  readonly locale?: string | null;
}

export type SendResult =
  | { readonly ok: true; readonly providerId?: string }
  | {
      readonly ok: false;
      /** 5xx, 429 and network failures are worth retrying; other 4xx are not. */
      readonly retry: boolean;
      readonly reason: string;
      /** From a Retry-After header, in milliseconds. */
      readonly retryAfterMs?: number;
      /** The receiver says the subscription is gone for good (HTTP 410, an invalid number...). */
      readonly gone?: boolean;
    };

/** A configured provider instance, ready to send. */
export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  send(target: Target, message: Message): Promise<SendResult>;
  close(): Promise<void>;
}

/** What a channel module needs from the process (never from globals). */
export interface ChannelDeps {
  readonly allowPrivateNetwork: boolean;
  readonly userAgent: string;
}

/** One provider module: which subscriber kinds it serves, and how to build it from its settings. */
export interface ChannelAdapter<S = never> {
  readonly serves: readonly SubscriberKind[];
  create(name: string, settings: S, deps: ChannelDeps): Channel;
}

/** Result helpers for the common HTTP answers. */
export function httpFailure(status: number, body: string, retryAfter?: string | null): SendResult {
  const retry = status >= 500 || status === 429 || status === 408;
  const retryAfterMs = parseRetryAfter(retryAfter);
  return {
    ok: false,
    retry,
    reason: `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
    ...(status === 410 && { gone: true }),
  };
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 section 10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number.parseInt(value.trim(), 10) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function networkFailure(err: unknown): SendResult {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(err);
  // A refusal by the private-network guard is a decision, not an outage: no retry.
  if (code === 'CRIER_PRIVATE_ADDRESS') return { ok: false, retry: false, reason: message };
  return { ok: false, retry: true, reason: code ? `${code}: ${message}` : message };
}
