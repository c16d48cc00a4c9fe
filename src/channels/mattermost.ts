/** Mattermost incoming webhooks: a Slack-compatible attachment with a colour bar. */
import { footerLinks, impactColours, jsonPostChannel } from './json-post.ts';
import { NoticeUrl } from './settings.ts';
import { defineChannel, type Message } from './types.ts';

export function mattermostBody(message: Message): unknown {
  const links = footerLinks(message, (url, text) => `[${text}](${url})`);
  const title = `${message.drill ? '[DRILL] ' : ''}${message.title}`;
  return {
    text: `#### ${title}`,
    attachments: [
      {
        fallback: `${title}: ${message.text}`,
        color: impactColours[message.impact ?? 'none'] ?? '#95a5a6',
        text: `${message.text}${links ? `\n\n${links}` : ''}`,
      },
    ],
  };
}

export const mattermost = defineChannel({
  type: 'mattermost',
  kind: 'chat',
  variant: 'chat',
  maxLength: null,
  reach: { subscribers: [] },
  settings: NoticeUrl,
  secrets: ['url'],
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'mattermost', deps, timeoutMs: settings.timeout_ms, body: mattermostBody }),
});
