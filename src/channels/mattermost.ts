/** Mattermost incoming webhooks: a Slack-compatible attachment with a colour bar. */
import { footerLinks, impactColours, jsonPostChannel } from './json-post.ts';
import type { ChannelAdapter, Message } from './types.ts';
import type { UrlChannelSettings } from './url-settings.ts';

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

export const mattermost: ChannelAdapter<UrlChannelSettings> = {
  serves: [],
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'mattermost', deps, timeoutMs: settings.timeout_ms, body: mattermostBody }),
};
