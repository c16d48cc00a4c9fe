/** Discord webhooks with one embed; a 429 carries Retry-After, which the worker honours. */
import { footerLinks, impactColours, jsonPostChannel } from './json-post.ts';
import { NoticeUrl } from './settings.ts';
import { defineChannel, type Message } from './types.ts';

function discordBody(message: Message): unknown {
  const colour = impactColours[message.impact ?? 'none'] ?? '#95a5a6';
  const links = footerLinks(message, (url, text) => `[${text}](${url})`);
  return {
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: `${message.drill ? '[DRILL] ' : ''}${message.title}`.slice(0, 256),
        description: `${message.text}${links ? `\n\n${links}` : ''}`.slice(0, 4096),
        ...(message.url && { url: message.url }),
        color: Number.parseInt(colour.slice(1), 16),
        ...(message.status && { footer: { text: message.status } }),
      },
    ],
  };
}

export const discord = defineChannel({
  type: 'discord',
  kind: 'chat',
  variant: 'chat',
  maxLength: 4096,
  reach: { subscribers: ['discord'], builtIn: true },
  settings: NoticeUrl,
  secrets: ['url'],
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'discord', deps, timeoutMs: settings.timeout_ms, body: discordBody }),
});
