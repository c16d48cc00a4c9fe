/**
 * ntfy: publish to a topic on an ntfy server (ntfy.sh or your own), as JSON
 * to the server's root URL (docs.ntfy.sh/publish, "Publish as JSON"):
 * `topic`, `title`, `message`, `tags`, `priority` and `click` (the incident's
 * page), with `Authorization: Bearer <access token>` for a protected topic.
 * A broadcast: every update for an audience that lists the channel is
 * published once, to the topic. A message is at most 4,096 bytes (longer
 * ones would become an attachment), so the text is cut to fit.
 */
import { z } from 'zod';
import { answerOf, createHttpClient, header } from './http-client.ts';
import { Secret } from './settings.ts';
import { defineChannel, httpFailure, type Message, networkFailure, type SendResult } from './types.ts';

const maxBytes = 4096;

/** ntfy's answer to a publish: the message, with its `id`. */
const NtfyAnswer = z.looseObject({ id: z.string().optional() });

/** The longest start of `text` that fits in `max` UTF-8 bytes, never splitting a character. */
function fitBytes(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let bytes = Buffer.byteLength('…');
  let end = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > max) break;
    end += ch.length;
  }
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Priority 1 (min) to 5 (max): the plan's, or the incident's impact. */
function priorityOf(message: Message, fixed: number | undefined): number {
  if (fixed !== undefined) return fixed;
  if (message.status === 'resolved' || message.status === 'completed') return 3;
  return message.impact === 'critical' ? 5 : message.impact === 'major' ? 4 : 3;
}

/** ntfy shows a tag that names an emoji as that emoji, before the title. */
function tagsOf(message: Message, own: readonly string[]): string[] {
  const resolved = message.status === 'resolved' || message.status === 'completed';
  const emoji = resolved
    ? 'white_check_mark'
    : message.impact === 'maintenance'
      ? 'wrench'
      : message.impact === 'critical' || message.impact === 'major'
        ? 'rotating_light'
        : message.kind === 'notice'
          ? undefined
          : 'warning';
  return [...(emoji ? [emoji] : []), ...(message.drill ? ['drill'] : []), ...own];
}

function ntfyBody(
  topic: string,
  message: Message,
  options: { priority?: number | undefined; tags: readonly string[] },
): Record<string, unknown> {
  return {
    topic,
    title: `${message.drill ? '[DRILL] ' : ''}${message.title}`,
    message: fitBytes(message.text, maxBytes),
    tags: tagsOf(message, options.tags),
    priority: priorityOf(message, options.priority),
    ...(message.url && { click: message.url }),
  };
}

export const ntfy = defineChannel({
  type: 'ntfy',
  kind: 'push',
  variant: null,
  maxLength: maxBytes,
  reach: { broadcast: (s) => ({ contact: s.topic }) },
  settings: {
    server: z.url().default('https://ntfy.sh').describe('The ntfy server: ntfy.sh, or your own.'),
    topic: z
      .string()
      .regex(
        /^(env:[A-Za-z_][A-Za-z0-9_]*|[-_A-Za-z0-9]{1,64})$/,
        'letters, digits, - and _, at most 64 (or env:NAME)',
      )
      .describe(
        'The topic. On a server without access control its name is its password: make it unguessable.',
      ),
    token: Secret.optional().describe('An access token (tk_…) for a protected topic; a secret.'),
    priority: z
      .number()
      .int()
      .min(1)
      .max(5)
      .optional()
      .describe('1 (min) to 5 (max); by default 5 for a critical incident, 4 for a major one, else 3.'),
    tags: z.array(z.string().min(1).max(64)).max(10).default([]).describe('Tags added to every message.'),
  },
  secrets: ['token', 'topic'],
  // One at a time, so the topic reads in the order things happened.
  lane: () => ({ concurrency: 1, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  create(name, settings, deps) {
    // The server is the administrator's, not a subscriber's: it may be private (a self-hosted one).
    const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 10_000 });
    const url = `${settings.server.replace(/\/+$/, '')}/`;
    return {
      name,
      type: 'ntfy',
      async send(target, message): Promise<SendResult> {
        const body = ntfyBody(target.contact, message, { priority: settings.priority, tags: settings.tags });
        try {
          const response = await client.post(url, JSON.stringify(body), {
            'content-type': 'application/json',
            accept: 'application/json',
            'user-agent': deps.userAgent,
            ...(settings.token && { authorization: `Bearer ${settings.token}` }),
          });
          if (response.status >= 200 && response.status < 300) {
            const id = answerOf(NtfyAnswer, response.body)?.id;
            return { ok: true, ...(id && { providerId: id }) };
          }
          return httpFailure(response.status, response.body, header(response, 'retry-after'));
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
