/**
 * Every provider, by type: the one list of them. Adding one is its module,
 * its line here, its test and its docs (docs/channels.md); the plan's
 * schema, the delivery lanes and lint take what they need from the module's
 * declaration. Each entry is keyed by its own `type`, which the compiler checks.
 */
import { apns } from './apns.ts';
import { bluesky } from './bluesky.ts';
import { discord } from './discord.ts';
import { emailSes } from './email-ses.ts';
import { emailSmtp } from './email-smtp.ts';
import { fcm } from './fcm.ts';
import { googleChat } from './google-chat.ts';
import { mastodon } from './mastodon.ts';
import { mattermost } from './mattermost.ts';
import { ntfy } from './ntfy.ts';
import { slack } from './slack.ts';
import { smsSns } from './sms-sns.ts';
import { smsTwilio } from './sms-twilio.ts';
import { teams } from './teams.ts';
import { telegram } from './telegram.ts';
import type { ChannelModule } from './types.ts';
import { voiceTwilio } from './voice-twilio.ts';
import { webhook } from './webhook.ts';
import { webPush } from './webpush.ts';
import { x } from './x.ts';

const modules = {
  'email-smtp': emailSmtp,
  'email-ses': emailSes,
  'sms-twilio': smsTwilio,
  'sms-sns': smsSns,
  'voice-twilio': voiceTwilio,
  webhook,
  slack,
  teams,
  discord,
  mattermost,
  'google-chat': googleChat,
  webpush: webPush,
  fcm,
  apns,
  ntfy,
  telegram,
  mastodon,
  bluesky,
  x,
};

type Modules = typeof modules;
/** The providers Crier can talk to. */
export type ChannelType = keyof Modules;

/** The registry, each module under its own type (a module filed under another name does not compile). */
export const channelModules: { readonly [T in ChannelType]: Modules[T] & { readonly type: T } } = modules;

export const channelTypes = Object.keys(channelModules) as ChannelType[];

/** A module by type, or undefined for a type no module has. */
export function moduleOf(type: string): ChannelModule | undefined {
  return Object.hasOwn(channelModules, type)
    ? (channelModules[type as ChannelType] as unknown as ChannelModule)
    : undefined;
}
