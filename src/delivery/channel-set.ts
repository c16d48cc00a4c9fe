/**
 * The channels a worker sends through, built from the plan's `channels:`
 * section, and the lane each kind of subscriber is served by: its channel,
 * fallback, limits and retry policy. Webhook and chat subscribers bring
 * their own URL, so those lanes exist even without a plan.
 */
import { channelAdapters } from '../channels/registry.ts';
import type { Channel, ChannelDeps, ChannelType, SubscriberKind, Target } from '../channels/types.ts';
import { subscriberKinds } from '../channels/types.ts';
import { type ChannelSettings, type ChannelsInput, ChannelsSection } from '../plan/channels.ts';
import type { RetryPolicy } from './limits.ts';

export interface LaneSettings {
  kind: SubscriberKind;
  channel: Channel;
  fallback: Channel | undefined;
  concurrency: number;
  ratePerSecond: number | undefined;
  retry: RetryPolicy;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** SMS only: every update, or the first and the resolving one. */
  smsUpdates: 'first_and_resolved' | 'all';
}

export interface ChannelSet {
  readonly channels: ReadonlyMap<string, Channel>;
  /** Where notices to a named channel go (its own `url` and `secret`), for `sendToChannel`. */
  readonly noticeTargets: ReadonlyMap<string, Target>;
  readonly lanes: ReadonlyMap<SubscriberKind, LaneSettings>;
  /**
   * The kinds of subscriber each audience of the plan hears on (its `channels:` list); an
   * audience the plan does not describe hears on every lane.
   */
  readonly audienceKinds: ReadonlyMap<string, ReadonlySet<SubscriberKind>>;
  close(): Promise<void>;
}

const defaults: Record<SubscriberKind, { concurrency: number; maxAttempts: number; baseMs: number }> = {
  email: { concurrency: 5, maxAttempts: 10, baseMs: 10_000 },
  sms: { concurrency: 10, maxAttempts: 6, baseMs: 10_000 },
  webhook: { concurrency: 64, maxAttempts: 8, baseMs: 5_000 },
  slack: { concurrency: 16, maxAttempts: 8, baseMs: 5_000 },
  teams: { concurrency: 16, maxAttempts: 8, baseMs: 5_000 },
  discord: { concurrency: 16, maxAttempts: 8, baseMs: 5_000 },
  push: { concurrency: 32, maxAttempts: 6, baseMs: 5_000 },
};

/** Channels that need no settings: subscribers' own URLs. */
const builtIn: Partial<Record<SubscriberKind, ChannelSettings>> = {
  webhook: { type: 'webhook' },
  slack: { type: 'slack' },
  teams: { type: 'teams' },
  discord: { type: 'discord' },
};

function build(name: string, settings: ChannelSettings, deps: ChannelDeps): Channel {
  const adapter = channelAdapters[settings.type] as {
    create(name: string, settings: ChannelSettings, deps: ChannelDeps): Channel;
  };
  return adapter.create(name, settings, deps);
}

function serves(type: ChannelType, kind: SubscriberKind): boolean {
  return channelAdapters[type].serves.includes(kind);
}

export function buildChannelSet(
  input: ChannelsInput,
  deps: ChannelDeps,
  audiences: Readonly<Record<string, { channels: readonly string[] }>> = {},
): ChannelSet {
  // Parsed again here, so defaults apply whoever built the settings (the plan loader, a test, a benchmark).
  const section = ChannelsSection.parse(input);
  const channels = new Map<string, Channel>();
  for (const [name, settings] of Object.entries(section)) channels.set(name, build(name, settings, deps));

  const lanes = new Map<SubscriberKind, LaneSettings>();
  for (const kind of subscriberKinds) {
    // The channel named like the kind wins; then the first that serves it; then a built-in.
    const named = section[kind] && serves(section[kind].type, kind) ? kind : undefined;
    const name =
      named ?? Object.keys(section).find((n) => serves((section[n] as ChannelSettings).type, kind));
    let settings: ChannelSettings | undefined = name ? section[name] : undefined;
    let channel = name ? channels.get(name) : undefined;
    if (!settings || !channel) {
      settings = builtIn[kind];
      if (!settings) continue;
      channel = build(kind, settings, deps);
      channels.set(`${kind}`, channel);
    }
    const fallbackName = settings.fallback;
    const fallbackSettings = fallbackName ? section[fallbackName] : undefined;
    const fallback =
      fallbackName && fallbackSettings && serves(fallbackSettings.type, kind)
        ? channels.get(fallbackName)
        : undefined;
    const d = defaults[kind];
    lanes.set(kind, {
      kind,
      channel,
      fallback,
      concurrency:
        settings.concurrency ?? (settings.type === 'email-smtp' ? settings.connections : d.concurrency),
      ratePerSecond: settings.rate_per_second,
      retry: {
        maxAttempts: settings.max_attempts ?? d.maxAttempts,
        baseMs: settings.retry_base_ms ?? d.baseMs,
        maxMs: settings.retry_max_ms ?? 15 * 60_000,
      },
      breakerFailures: settings.breaker_failures ?? 20,
      breakerCooldownMs: settings.breaker_cooldown_ms ?? 30_000,
      smsUpdates: settings.type === 'sms-twilio' || settings.type === 'sms-sns' ? settings.updates : 'all',
    });
  }
  const noticeTargets = new Map<string, Target>();
  for (const [name, settings] of Object.entries(section)) {
    if ('url' in settings && settings.url && settings.type !== 'email-smtp') {
      noticeTargets.set(name, {
        contact: settings.url,
        secret: 'secret' in settings ? (settings.secret ?? null) : null,
      });
    }
  }
  const audienceKinds = new Map<string, Set<SubscriberKind>>();
  for (const [audience, spec] of Object.entries(audiences)) {
    if (spec.channels.length === 0) continue;
    const kinds = new Set<SubscriberKind>();
    for (const lane of lanes.values()) {
      if (spec.channels.includes(lane.channel.name) || spec.channels.includes(lane.kind))
        kinds.add(lane.kind);
    }
    audienceKinds.set(audience, kinds);
  }
  return {
    channels,
    noticeTargets,
    audienceKinds,
    lanes,
    async close() {
      await Promise.allSettled([...channels.values()].map((c) => c.close()));
    },
  };
}
