/** Google Chat incoming webhooks: a text message (`*bold*`, `<url|label>` links). */
import { footerLinks, jsonPostChannel } from './json-post.ts';
import { NoticeUrl } from './settings.ts';
import { defineChannel, type Message } from './types.ts';

function googleChatBody(message: Message): unknown {
  const links = footerLinks(message, (url, text) => `<${url}|${text}>`);
  return {
    text: `*${message.drill ? '[DRILL] ' : ''}${message.title}*\n${message.text}${links ? `\n${links}` : ''}`,
  };
}

export const googleChat = defineChannel({
  type: 'google-chat',
  kind: 'chat',
  variant: 'chat',
  maxLength: 4096,
  reach: { subscribers: [] },
  settings: NoticeUrl,
  secrets: ['url'],
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  create: (name, settings, deps) =>
    jsonPostChannel({
      name,
      type: 'google-chat',
      deps,
      timeoutMs: settings.timeout_ms,
      body: googleChatBody,
    }),
});
