/** Slack incoming webhooks with Block Kit; `text` is the notification fallback. */

import { footerLinks, jsonPostChannel } from './json-post.ts';
import { NoticeUrl } from './settings.ts';
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
  settings: NoticeUrl,
  secrets: ['url'],
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'slack', deps, timeoutMs: settings.timeout_ms, body: slackBody }),
});
