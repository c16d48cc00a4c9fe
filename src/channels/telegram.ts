/**
 * Telegram: the Bot API's `sendMessage` (POST {endpoint}/bot<token>/sendMessage,
 * JSON) to a channel, group or chat: `chat_id`, `text` in `parse_mode: HTML`
 * (every `<`, `>` and `&` outside a tag escaped as an entity, the link's
 * quotes too), link previews off. A broadcast: every update for an audience
 * that lists the channel is posted there once. The text may hold 4,096
 * characters once its tags are parsed, so the body is cut to fit, keeping the
 * title and the link. Answers are `{ ok, result }` or `{ ok: false,
 * error_code, description, parameters: { retry_after } }`.
 */
import { z } from 'zod';
import { answerOf, createHttpClient, header } from './http-client.ts';
import { Secret } from './settings.ts';
import { defineChannel, httpFailure, type Message, networkFailure, type SendResult } from './types.ts';

const maxLength = 4096;

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttribute = (s: string) => escapeText(s).replace(/"/g, '&quot;');

/** The longest start of `text` within `max` UTF-16 units, never splitting a character. */
function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = 0;
  for (const ch of text) {
    if (end + ch.length > max - 1) break;
    end += ch.length;
  }
  return `${text.slice(0, end).trimEnd()}…`;
}

/** The message as Telegram HTML; its visible text (tags and entities parsed) fits in 4,096 characters. */
export function telegramText(message: Message): string {
  const title = `${message.drill ? '[DRILL] ' : ''}${message.title}`;
  const link = message.url ? 'View details' : '';
  // What the reader sees besides the body: the title, the blank lines, the link's label.
  const around = title.length + 2 + (link ? 2 + link.length : 0);
  const body = cut(message.text, Math.max(0, maxLength - around));
  return [
    `<b>${escapeText(title)}</b>`,
    ...(body ? ['', escapeText(body)] : []),
    ...(message.url ? ['', `<a href="${escapeAttribute(message.url)}">${link}</a>`] : []),
  ].join('\n');
}

/** The Bot API's answer: `result` on success; `description` and `parameters` on failure. */
const TelegramAnswer = z.looseObject({
  result: z.looseObject({ message_id: z.number().optional() }).optional(),
  description: z.string().optional(),
  parameters: z
    .looseObject({ retry_after: z.number().optional(), migrate_to_chat_id: z.number().optional() })
    .optional(),
});

function failure(status: number, body: string, retryAfter: string | null): SendResult {
  const answer = answerOf(TelegramAnswer, body) ?? {};
  const base = httpFailure(status, answer.description ?? body, retryAfter);
  if (base.ok) return base;
  const migrated = answer.parameters?.migrate_to_chat_id;
  const reason = migrated
    ? `${base.reason} (the group is now the supergroup ${migrated}: set chat_id to it)`
    : base.reason;
  const wait = answer.parameters?.retry_after;
  return { ...base, reason, ...(wait !== undefined && { retryAfterMs: wait * 1000 }) };
}

export const telegram = defineChannel({
  type: 'telegram',
  kind: 'chat',
  variant: 'chat',
  maxLength,
  reach: { broadcast: (s) => ({ contact: String(s.chat_id) }) },
  settings: {
    token: Secret.describe('The bot token from @BotFather (123456:ABC…); a secret, give it as env:NAME.'),
    chat_id: z
      .union([
        z
          .string()
          .regex(/^(@[A-Za-z][A-Za-z0-9_]{3,31}|-?\d{1,20})$/, 'a chat id (-100…) or @channelusername'),
        z.number().int(),
      ])
      .describe('Where to post: a channel’s @username, or a chat id (-100… for channels and supergroups).'),
    silent: z.boolean().default(false).describe('Post without a notification sound.'),
    endpoint: z.url().default('https://api.telegram.org').describe('Another Bot API server (a local one).'),
  },
  secrets: ['token'],
  // One at a time: a channel reads in the order things happened (and Telegram allows about 20 posts a minute to one).
  lane: () => ({ concurrency: 1, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  create(name, settings, deps) {
    // The endpoint is the administrator's, not a subscriber's: it may be private (a local Bot API server).
    const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 10_000 });
    const url = `${settings.endpoint.replace(/\/+$/, '')}/bot${settings.token}/sendMessage`;
    return {
      name,
      type: 'telegram',
      async send(target, message): Promise<SendResult> {
        const body = JSON.stringify({
          chat_id: target.contact,
          text: telegramText(message),
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(settings.silent && { disable_notification: true }),
        });
        try {
          const response = await client.post(url, body, {
            'content-type': 'application/json',
            'user-agent': deps.userAgent,
          });
          if (response.status === 200) {
            const id = answerOf(TelegramAnswer, response.body)?.result?.message_id;
            return { ok: true, ...(id !== undefined && { providerId: String(id) }) };
          }
          return failure(response.status, response.body, header(response, 'retry-after'));
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
