/** Mattermost incoming webhooks: a Slack-compatible attachment with a colour bar. */
import { z } from 'zod';
import { footerLinks, impactColours, jsonPostChannel } from './json-post.ts';
import { mattermostRooms } from './mattermost-rooms.ts';
import { NoticeUrl, Secret } from './settings.ts';
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
  settings: {
    ...NoticeUrl,
    server_url: z
      .url()
      .optional()
      .describe('Your Mattermost server, for a room per incident (docs/chat.md).'),
    bot_token: Secret.optional().describe(
      'A bot account’s access token (a secret), for a room per incident.',
    ),
    team_id: z.string().min(1).max(64).optional().describe('The team whose rooms the bot makes.'),
    command_token: Secret.optional().describe(
      'The /crier slash command’s token (a secret), checked on every request.',
    ),
    archive_after_days: z
      .number()
      .int()
      .min(0)
      .max(365)
      .default(7)
      .describe('An incident’s room is archived this many days after it is resolved.'),
  },
  secrets: ['url', 'bot_token', 'command_token'],
  check: (s) =>
    s.bot_token !== undefined && (s.server_url === undefined || s.team_id === undefined)
      ? 'bot_token needs server_url and team_id: the rooms are made in a team on your server'
      : s.command_token !== undefined && s.bot_token === undefined
        ? 'command_token needs bot_token: the /crier command reads who typed it through the bot'
        : undefined,
  lane: () => ({ concurrency: 16, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url } : undefined),
  keepsRooms: (s) => s.bot_token !== undefined,
  rooms: (s, deps) =>
    s.bot_token && s.server_url && s.team_id
      ? mattermostRooms({ ...s, bot_token: s.bot_token, server_url: s.server_url, team_id: s.team_id }, deps)
      : undefined,
  create: (name, settings, deps) =>
    jsonPostChannel({ name, type: 'mattermost', deps, timeoutMs: settings.timeout_ms, body: mattermostBody }),
});
