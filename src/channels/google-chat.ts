/** Google Chat incoming webhooks: a text message (`*bold*`, `<url|label>` links). */
import { footerLinks, jsonPostChannel } from './json-post.ts';
import type { ChannelAdapter, Message } from './types.ts';
import type { UrlChannelSettings } from './url-settings.ts';

export function googleChatBody(message: Message): unknown {
  const links = footerLinks(message, (url, text) => `<${url}|${text}>`);
  return {
    text: `*${message.drill ? '[DRILL] ' : ''}${message.title}*\n${message.text}${links ? `\n${links}` : ''}`,
  };
}

export const googleChat: ChannelAdapter<UrlChannelSettings> = {
  serves: [],
  create: (name, settings, deps) =>
    jsonPostChannel({
      name,
      type: 'google-chat',
      deps,
      timeoutMs: settings.timeout_ms,
      body: googleChatBody,
    }),
};
