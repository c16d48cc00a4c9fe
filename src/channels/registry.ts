/**
 * Every provider, by type. Adding one touches its own module, this map and
 * its test (and its settings in src/plan/channels.ts).
 */
import type { ChannelSettings } from '../plan/channels.ts';
import { discord } from './discord.ts';
import { emailSes } from './email-ses.ts';
import { emailSmtp } from './email-smtp.ts';
import { googleChat } from './google-chat.ts';
import { mattermost } from './mattermost.ts';
import { slack } from './slack.ts';
import { smsSns } from './sms-sns.ts';
import { smsTwilio } from './sms-twilio.ts';
import { teams } from './teams.ts';
import type { ChannelAdapter, ChannelType } from './types.ts';
import { webhook } from './webhook.ts';
import { webPush } from './webpush.ts';

export const channelAdapters: { [T in ChannelType]: ChannelAdapter<Extract<ChannelSettings, { type: T }>> } =
  {
    'email-smtp': emailSmtp,
    'email-ses': emailSes,
    'sms-twilio': smsTwilio,
    'sms-sns': smsSns,
    webhook,
    slack,
    teams,
    discord,
    mattermost,
    'google-chat': googleChat,
    webpush: webPush,
  };
