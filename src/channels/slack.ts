/** Slack incoming webhooks with Block Kit; `text` is the notification fallback. */

import { z } from 'zod';
import { footerLinks, jsonPostChannel } from './json-post.ts';
import { NoticeUrl, Secret } from './settings.ts';
import { slackRooms } from './slack-rooms.ts';
import { defineChannel, type Message } from './types.ts';

/**
 * Slack mrkdwn needs &, < and > escaped, in the blocks and in the `text`
 * fallback alike: Slack reads `<!channel>` there too, and notifies everyone.
 */
const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function slackBody(message: Message): unknown {
  const title = `${message.drill ? '[DRILL] ' : ''}${message.title}`;
  const links = footerLinks(message, (url, text) => `<${url}|${text}>`);
  return {
    text: mrkdwn(`${title}: ${message.text}`).slice(0, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(message.text).slice(0, 3000) } },
      ...(links ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: links }] }] : []),
    ],
  };
}

export const slack = defineChannel({
  type: 'slack',
  kind: 'chat',
  variant: 'chat',
  maxLength: 3000,
  reach: { subscribers: ['slack'], builtIn: true },
  settings: {
    ...NoticeUrl,
    bot_token: Secret.optional().describe(
      'A bot token (xoxb-…, a secret) for a room per incident and the /crier command (docs/chat.md).',
    ),
    signing_secret: Secret.optional().describe(
      'The Slack app’s signing secret (a secret): requests from Slack (the /crier command, buttons) are verified with it.',
    ),
    api_url: z
      .url()
      .optional()
      .describe('The Web API’s base URL (https://slack.com/api/ by default), for a stand-in.'),
    archive_after_days: z
      .number()
      .int()
      .min(0)
      .max(365)
      .default(7)
      .describe('An incident’s room is archived this many days after it is resolved.'),
  },
  secrets: ['url', 'bot_token', 'signing_secret'],
  check: (s) =>
    s.signing_secret !== undefined && s.bot_token === undefined
      ? 'signing_secret needs bot_token: the /crier command answers through the bot'
      : undefined,
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  keepsRooms: (s) => s.bot_token !== undefined,
  rooms: (s, deps) => (s.bot_token ? slackRooms({ ...s, bot_token: s.bot_token }, deps) : undefined),
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'slack', deps, timeoutMs: settings.timeout_ms, body: slackBody }),
});
