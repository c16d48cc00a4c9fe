/** Mattermost incoming webhooks: a Slack-compatible attachment with a colour bar. */
import { footerLinks, impactColours, jsonPostChannel } from './json-post.ts';
import { NoticeUrl } from './settings.ts';
import { defineChannel, type Message } from './types.ts';

/**
 * Mattermost turns Slack's `<!channel>`, `<!here>` and `<!all>` into
 * mentions, and its own `@channel`, `@all`, `@here` and `@name` notify
 * people: message text gets &, < and > escaped (Markdown shows the
 * entities as the characters) and a word joiner after an `@` that starts
 * a word, so an update's words never page a whole channel.
 */
const escaped = (s: string) =>
  s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/(^|[^\w.+-])@(?=\w)/g, '$1@\u2060');

function mattermostBody(message: Message): unknown {
  const links = footerLinks(message, (url, text) => `[${text}](${url})`);
  const title = escaped(`${message.drill ? '[DRILL] ' : ''}${message.title}`);
  const text = escaped(message.text);
  return {
    text: `#### ${title}`,
    attachments: [
      {
        fallback: `${title}: ${text}`,
        color: impactColours[message.impact ?? 'none'] ?? '#95a5a6',
        text: `${text}${links ? `\n\n${links}` : ''}`,
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
