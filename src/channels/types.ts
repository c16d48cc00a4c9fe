/**
 * The one small interface every provider implements. A channel module turns
 * a rendered message into the provider's request; the delivery worker owns
 * retries, rate limits, circuit breaking and fallback.
 *
 * A module also declares what it is (`defineChannel`): its kind, whom it
 * reaches, its settings, secrets, length limit and template variant, so
 * nothing outside it needs to know a provider by name.
 */
import { z } from 'zod';
import type { ChannelKind, TemplateVariant, TextVariant } from '../domain/channel-limits.ts';
import type { MessageWords } from '../domain/message-words.ts';
import type { Counting } from '../domain/social-text.ts';
import type { Listener } from './mentions.ts';
import type { RoomsSide } from './rooms.ts';
import { Limits } from './settings.ts';

/** The kinds of contact a subscriber can leave. */
export const subscriberKinds = [
  'email',
  'sms',
  'voice',
  'webhook',
  'slack',
  'teams',
  'discord',
  'push',
  'fcm',
  'apns',
] as const;
export type SubscriberKind = (typeof subscriberKinds)[number];

/** The platforms a company's own mobile app registers a device token on, each a kind of subscriber. */
export const mobilePlatforms = ['fcm', 'apns'] as const;
export type MobilePlatform = (typeof mobilePlatforms)[number];

/** Whether a name (a lane's key, a plan's channel name) is a kind of subscriber. */
export function isSubscriberKind(name: string): name is SubscriberKind {
  return subscriberKinds.some((kind) => kind === name);
}

/** A Statuspage-shaped webhook event (built in src/services/subject-message.ts). */
export type WebhookEvent = Record<string, unknown>;

/** What every channel renders from: one update, notice or confirmation, already in words. */
export interface Message {
  /** Stable across retries and crashes (the delivery id): receivers drop duplicates by it. */
  readonly id: string;
  readonly kind: 'incident' | 'maintenance' | 'confirmation' | 'verification' | 'welcome' | 'notice';
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
  /** Where the subscriber says whether this update helped (customers' incident updates only). */
  readonly feedbackUrl?: string;
  /** A link the subscriber follows to confirm (confirmation messages only). */
  readonly confirmUrl?: string;
  /**
   * A webhook verification's challenge: the send succeeds only when the receiver's 2xx answer
   * echoes it (the body, or its JSON `challenge`).
   */
  readonly challenge?: string;
  /** The Statuspage-compatible body a webhook subscriber receives. */
  readonly event?: WebhookEvent;
  /** `event` already serialized, byte for byte `JSON.stringify(event)`, when the renderer had it ready. */
  readonly eventJson?: string;
  readonly drill?: boolean;
  /**
   * For a module that threads (`threads`): where this post goes in the account's thread for its
   * incident, as the provider named the earlier posts (src/delivery/threads.ts); none for the first.
   */
  readonly thread?: { readonly root: string; readonly parent: string };
  /** For a module that threads: the post this message corrects (edited where the network allows it). */
  readonly corrects?: string;
  /** The language the title and text are in (`fr`); English when absent. */
  readonly language?: string;
  /** The words framing the text (links' labels) in the subscriber's language; English when absent. */
  readonly words?: MessageWords;
}

/**
 * What one subject (an incident update, a component's change, a maintenance
 * notice) says to every subscriber, before each one's links and delivery id;
 * `variants` are its texts per template variant, from its template.
 */
export type SubjectMessage = Omit<
  Message,
  'id' | 'manageUrl' | 'unsubscribeUrl' | 'confirmUrl' | 'eventJson' | 'feedbackUrl'
> & {
  readonly variants?: Partial<Record<TemplateVariant, string>>;
  /** The update each subscriber is asked about ("Was this update helpful?"); none for drills and the team. */
  readonly asksFeedback?: string;
  /** The language `title` and `text` are in: the page's (`en` when absent). */
  readonly language?: string;
  /** The same in another language (`fr`): its title, text and variants, for subscribers who chose it. */
  readonly translations?: Readonly<Record<string, SubjectTranslation>>;
};

/** One language's version of a subject's words. */
export interface SubjectTranslation {
  readonly title: string;
  readonly text: string;
  readonly variants?: Partial<Record<TemplateVariant, string>>;
}

/** Who a message goes to: the subscriber's contact as stored. */
export interface Target {
  /** Email address, E.164 number, URL, web push subscription JSON, or a broadcast's account (chat id, topic). */
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
      /**
       * A temporary refusal about the recipient (a full or unavailable mailbox): retried, and
       * counted as a soft bounce if the delivery gives up on it.
       */
      readonly softBounce?: boolean;
    };

/** A configured provider instance, ready to send. */
export interface Channel {
  readonly name: string;
  /** The module's type (`email-smtp`, `telegram`...), a key of the registry (src/channels/registry.ts). */
  readonly type: string;
  send(target: Target, message: Message): Promise<SendResult>;
  close(): Promise<void>;
}

/** What a channel module needs from the process (never from globals). */
export interface ChannelDeps {
  readonly allowPrivateNetwork: boolean;
  readonly userAgent: string;
}

/** What the delivery worker assumes of a channel's lane unless the plan says otherwise. */
interface LaneDefaults {
  readonly concurrency: number;
  readonly maxAttempts: number;
  readonly retryBaseMs: number;
  /** Which incident updates go out on it: every one, or an audience's first and resolving one (SMS). */
  readonly updates: 'all' | 'first_and_resolved';
}

/**
 * Whom a channel reaches. `subscribers`: each subscriber of these kinds, at
 * the contact they left (`builtIn`: the channel exists without settings,
 * since its subscribers bring their own URL). `broadcast`: one account its
 * settings name (a Telegram channel, an ntfy topic); an update for an
 * audience that lists the channel goes there once (docs/adr/0010-broadcast-channels.md).
 */
type Reach<S> =
  | { readonly subscribers: readonly SubscriberKind[]; readonly builtIn?: boolean }
  | { readonly broadcast: (settings: S) => Target };

/** Values a channel lends to routes outside delivery. */
export interface ChannelFacts {
  /** Verifies the provider's signed inbound requests (Twilio's auth token, for STOP). */
  readonly inboundSigningKey?: string;
  /** The public key browsers subscribe to push with (VAPID). */
  readonly pushPublicKey?: string;
}

type Full<T extends string, S extends z.ZodRawShape> = z.ZodObject<
  { type: z.ZodLiteral<T> } & S & typeof Limits,
  z.core.$strict
>;
/** A channel's settings once parsed: its own, its type, and the limits every channel has. */
type SettingsOf<T extends string, S extends z.ZodRawShape> = z.output<Full<T, S>>;

/** What a provider module declares of itself; `defineChannel` adds its settings schema. */
export interface ChannelDefinition<T extends string, S extends z.ZodRawShape> {
  readonly type: T;
  /** The kind of text it carries, which picks the plan's length limit (`lint.limits`). */
  readonly kind: ChannelKind;
  /** The template variant its text comes from (null: the generic text). */
  readonly variant: TextVariant | null;
  /** The most characters the provider takes in one message (null: no limit of its own). */
  readonly maxLength: number | null;
  /** How the provider counts them, for lint and the preview (code points unless it says). */
  readonly counting?: Counting;
  readonly reach: Reach<SettingsOf<T, S>>;
  /**
   * A broadcast whose posts make one thread per incident: each later update replies to the
   * previous post (`message.thread`) and a correction names the post it corrects (`message.corrects`);
   * `providerId` must then name the post as the module needs it to reply to it.
   */
  readonly threads?: boolean;
  /** Its own settings (besides `type` and the limits every channel has). */
  readonly settings: S;
  /** Which of them are secrets: described as such in the schema, never shown by the admin API. */
  readonly secrets: readonly (keyof S & string)[];
  /** A rule across its settings (both keys or neither): what is wrong, or nothing. */
  check?(settings: SettingsOf<T, S>): string | undefined;
  lane(settings: SettingsOf<T, S>): LaneDefaults;
  /** Where `sendToChannel` notices go: a room of the plan's own (a broadcast's account by default). */
  notices?(settings: SettingsOf<T, S>): Target | undefined;
  facts?(settings: SettingsOf<T, S>): ChannelFacts;
  /**
   * A room per incident kept by the plan's own bot, and chat-ops, when the settings give a bot
   * (src/channels/rooms.ts); undefined when they do not.
   */
  rooms?(settings: SettingsOf<T, S>, deps: ChannelDeps): RoomsSide | undefined;
  /** Whether the settings give a bot that can keep rooms (checked by the plan, without building one). */
  keepsRooms?(settings: SettingsOf<T, S>): boolean;
  /** A social account that can also read its mentions and searches, for the sentiment watch. */
  listener?(settings: SettingsOf<T, S>, deps: ChannelDeps): Listener;
  create(name: string, settings: SettingsOf<T, S>, deps: ChannelDeps): Channel;
}

export interface ChannelModule<T extends string = string, S extends z.ZodRawShape = z.ZodRawShape>
  extends ChannelDefinition<T, S> {
  /** The settings as the plan writes them: `type`, its own, and the limits. */
  readonly schema: Full<T, S>;
}

/** A provider module: its declaration, with the settings schema the plan's schema is built from. */
export function defineChannel<const T extends string, S extends z.ZodRawShape>(
  definition: ChannelDefinition<T, S>,
): ChannelModule<T, S> {
  const schema = z
    .strictObject({ type: z.literal(definition.type), ...definition.settings, ...Limits })
    .superRefine((settings, ctx) => {
      const problem = definition.check?.(settings as SettingsOf<T, S>);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .describe(`A channel of type ${definition.type}.`) as unknown as Full<T, S>;
  return { ...definition, schema };
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
