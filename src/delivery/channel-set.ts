/**
 * The channels a worker sends through, built from the plan's `channels:`
 * section, and their lanes: one per kind of subscriber (its channel,
 * fallback, limits and retry policy), and one per broadcast channel, whose
 * deliveries all go to the channel's own account (docs/adr/0010). Webhook and
 * chat subscribers bring their own URL, so those lanes exist even without a plan.
 */

import type { Listener } from '../channels/mentions.ts';
import { channelModules } from '../channels/registry.ts';
import type { RoomsSide } from '../channels/rooms.ts';
import type {
  Channel,
  ChannelDeps,
  ChannelFacts,
  ChannelModule,
  SubscriberKind,
  Target,
} from '../channels/types.ts';
import { isSubscriberKind, subscriberKinds } from '../channels/types.ts';
import { type ChannelSettings, type ChannelsInput, ChannelsSection } from '../plan/channels.ts';
import type { RetryPolicy } from './limits.ts';

export interface LaneSettings {
  /**
   * What the lane's deliveries are filed under (`deliveries.channel`): a kind of subscriber, or
   * a broadcast channel's name.
   */
  key: string;
  /** A broadcast lane's one target, the channel's account; subscriber lanes send to each subscriber. */
  account?: Target;
  channel: Channel;
  fallback: Channel | undefined;
  concurrency: number;
  ratePerSecond: number | undefined;
  retry: RetryPolicy;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Which incident updates go out on it: every one, or an audience's first and resolving one (SMS). */
  updates: 'first_and_resolved' | 'all';
}

export interface ChannelSet {
  readonly channels: ReadonlyMap<string, Channel>;
  /** Where notices to a named channel go (its own `url` and `secret`), for `sendToChannel`. */
  readonly noticeTargets: ReadonlyMap<string, Target>;
  /** By key: the kinds of subscriber, then the broadcast channels. */
  readonly lanes: ReadonlyMap<string, LaneSettings>;
  /**
   * The lanes each audience of the plan hears on (its `channels:` list). An audience the plan
   * does not describe hears on every subscriber lane, and on no broadcast: an account's
   * followers hear only what an audience that names it is told.
   */
  lanesFor(audience: string): ReadonlySet<string>;
  /** The kinds of subscriber an audience can have. */
  kindsFor(audience: string): ReadonlySet<SubscriberKind>;
  /** What the channels lend to routes outside delivery (inbound signing keys, a push key). */
  readonly facts: readonly ChannelFacts[];
  /** By channel name: the bots that keep a room per incident, and take chat-ops requests. */
  readonly rooms: ReadonlyMap<string, RoomsSide>;
  /** By channel name: the social accounts that can read mentions, for the sentiment watch. */
  readonly listeners: ReadonlyMap<string, Listener>;
  close(): Promise<void>;
}

/** The module of a parsed channel: the settings passed their type's schema, so it has one. */
function moduleFor(settings: ChannelSettings): ChannelModule {
  // Each module's create() takes its own settings type; the parsed settings' `type` picked this one.
  return channelModules[settings.type] as unknown as ChannelModule;
}

function build(name: string, settings: ChannelSettings, deps: ChannelDeps): Channel {
  const module = moduleFor(settings);
  return scrubbed(module.create(name, settings, deps), secretValues(module, settings));
}

function serves(settings: ChannelSettings, kind: SubscriberKind): boolean {
  const reach = moduleFor(settings).reach;
  return 'subscribers' in reach && reach.subscribers.includes(kind);
}

/** The values of a channel's declared secrets, nested ones included. */
function secretValues(module: ChannelModule, settings: ChannelSettings): string[] {
  const values: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string' && v.length >= 4) values.push(v);
    else if (v !== null && typeof v === 'object') for (const inner of Object.values(v)) collect(inner);
  };
  for (const [key, value] of Object.entries(settings)) if (module.secrets.includes(key)) collect(value);
  return values;
}

/**
 * A channel whose failure reasons never carry one of its secrets: they are logged and kept on the
 * delivery, and a provider may echo a token back (or put it in the URL a network error names).
 */
function scrubbed(channel: Channel, secrets: readonly string[]): Channel {
  if (secrets.length === 0) return channel;
  return {
    name: channel.name,
    type: channel.type,
    async send(target, message) {
      const result = await channel.send(target, message);
      if (result.ok) return result;
      let reason = result.reason;
      for (const secret of secrets) reason = reason.replaceAll(secret, '[secret]');
      return reason === result.reason ? result : { ...result, reason };
    },
    close: () => channel.close(),
  };
}

/** A listener whose refusals never carry one of its account's secrets (they are logged). */
function scrubbedListener(listener: Listener, secrets: readonly string[]): Listener {
  return {
    feeds: (terms) => listener.feeds(terms),
    async read(feed, terms, since) {
      const page = await listener.read(feed, terms, since);
      if (page.ok) return page;
      let reason = page.reason;
      for (const secret of secrets) reason = reason.replaceAll(secret, '[secret]');
      return { ...page, reason };
    },
  };
}

function laneOf(
  key: string,
  channel: Channel,
  settings: ChannelSettings,
  fallback: Channel | undefined,
  account?: Target,
): LaneSettings {
  const d = moduleFor(settings).lane(settings);
  return {
    key,
    ...(account && { account }),
    channel,
    fallback,
    concurrency: settings.concurrency ?? d.concurrency,
    ratePerSecond: settings.rate_per_second,
    retry: {
      maxAttempts: settings.max_attempts ?? d.maxAttempts,
      baseMs: settings.retry_base_ms ?? d.retryBaseMs,
      maxMs: settings.retry_max_ms ?? 15 * 60_000,
    },
    breakerFailures: settings.breaker_failures ?? 20,
    breakerCooldownMs: settings.breaker_cooldown_ms ?? 30_000,
    updates: d.updates,
  };
}

export function buildChannelSet(
  input: ChannelsInput,
  deps: ChannelDeps,
  audiences: Readonly<Record<string, { channels: readonly string[] }>> = {},
): ChannelSet {
  // Parsed again here, so defaults apply whoever built the settings (the plan loader, a test, a benchmark).
  const section = ChannelsSection.parse(input);
  const configured = Object.entries(section).map(([name, settings]) => ({
    name,
    settings,
    channel: build(name, settings, deps),
  }));
  const channels = new Map(configured.map(({ name, channel }) => [name, channel]));

  const lanes = new Map<string, LaneSettings>();
  for (const kind of subscriberKinds) {
    // The channel named like the kind wins; then the first that serves it; then a built-in.
    const named = section[kind] && serves(section[kind], kind) ? kind : undefined;
    const name = named ?? Object.entries(section).find(([, s]) => serves(s, kind))?.[0];
    let settings: ChannelSettings | undefined = name ? section[name] : undefined;
    let channel = name ? channels.get(name) : undefined;
    if (!settings || !channel) {
      // Subscribers who bring their own URL need no settings: the module's built-in channel serves them.
      // As in moduleFor: each module is a ChannelModule of its own settings type.
      const module = (Object.values(channelModules) as unknown as ChannelModule[]).find(
        (m) => 'subscribers' in m.reach && m.reach.builtIn === true && m.reach.subscribers.includes(kind),
      );
      if (!module) continue;
      // A module's schema parses to its own member of the ChannelSettings union.
      settings = module.schema.parse({ type: module.type }) as ChannelSettings;
      channel = build(kind, settings, deps);
      channels.set(`${kind}`, channel);
    }
    const fallbackName = settings.fallback;
    const fallbackSettings = fallbackName ? section[fallbackName] : undefined;
    const fallback =
      fallbackName && fallbackSettings && serves(fallbackSettings, kind)
        ? channels.get(fallbackName)
        : undefined;
    lanes.set(kind, laneOf(kind, channel, settings, fallback));
  }
  const broadcasts = new Set<string>();
  const noticeTargets = new Map<string, Target>();
  const facts: ChannelFacts[] = [];
  const rooms = new Map<string, RoomsSide>();
  const listeners = new Map<string, Listener>();
  for (const { name, settings, channel } of configured) {
    const module = moduleFor(settings);
    const account = 'broadcast' in module.reach ? module.reach.broadcast(settings) : undefined;
    // The plan refuses a broadcast named like a kind of subscriber, so the keys never meet.
    if (account) {
      lanes.set(name, laneOf(name, channel, settings, undefined, account));
      broadcasts.add(name);
    }
    const target = module.notices?.(settings) ?? account;
    if (target) noticeTargets.set(name, target);
    const own = module.facts?.(settings);
    if (own) facts.push(own);
    const side = module.rooms?.(settings, deps);
    if (side) rooms.set(name, side);
    const listener = module.listener?.(settings, deps);
    if (listener) listeners.set(name, scrubbedListener(listener, secretValues(module, settings)));
  }
  const subscriberLanes = [...lanes.values()].filter((lane) => !lane.account);
  const described = new Map<string, Set<string>>();
  for (const [audience, spec] of Object.entries(audiences)) {
    if (spec.channels.length === 0) continue;
    const keys = new Set<string>();
    for (const lane of subscriberLanes) {
      if (spec.channels.includes(lane.channel.name) || spec.channels.includes(lane.key)) keys.add(lane.key);
    }
    for (const name of spec.channels) if (broadcasts.has(name)) keys.add(name);
    described.set(audience, keys);
  }
  const everySubscriberLane: ReadonlySet<string> = new Set(subscriberLanes.map((lane) => lane.key));
  const lanesFor = (audience: string) => described.get(audience) ?? everySubscriberLane;
  return {
    channels,
    noticeTargets,
    facts,
    rooms,
    listeners,
    lanes,
    lanesFor,
    kindsFor: (audience) =>
      new Set([...lanesFor(audience)].filter((key) => !broadcasts.has(key)).filter(isSubscriberKind)),
    async close() {
      await Promise.allSettled([
        ...[...channels.values()].map((c) => c.close()),
        ...[...rooms.values()].map((r) => r.rooms.close()),
      ]);
    },
  };
}
