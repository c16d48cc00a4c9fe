/**
 * Mastodon: posts to one account (docs.joinmastodon.org/methods/statuses):
 * `POST /api/v1/statuses` with `Authorization: Bearer <token>` and an
 * `Idempotency-Key` (the delivery id, so a retry after a lost answer posts
 * nothing twice), JSON `status`, `visibility`, `language` and, for each later
 * update of an incident, `in_reply_to_id` (the previous post), so followers
 * read one thread. A correction edits the post: `PUT /api/v1/statuses/:id`.
 * The text is the template's `social` variant, with the title and the link to
 * the incident's page, within the instance's own limit, read once from
 * `GET /api/v2/instance` (`configuration.statuses.max_characters`, links
 * counting `characters_reserved_per_url`). Errors are `{ "error": "…" }`;
 * 429 carries `X-RateLimit-Reset`, the instant the limit lifts.
 */
import { z } from 'zod';
import { mastodonLength, socialPost } from '../domain/social-text.ts';
import { answerOf, createHttpClient, type HttpClient, header } from './http-client.ts';
import { mastodonListener } from './mastodon-listen.ts';
import { Secret } from './settings.ts';
import { defineChannel, httpFailure, type Message, networkFailure, type SendResult } from './types.ts';

/** What a Mastodon server allows when its instance document cannot be read (its default). */
const defaultLimits = { max: 500, perUrl: 23 };

const InstanceAnswer = z.looseObject({
  configuration: z.looseObject({
    statuses: z.looseObject({
      max_characters: z.number().int().positive(),
      characters_reserved_per_url: z.number().int().nonnegative().optional(),
    }),
  }),
});
const StatusAnswer = z.looseObject({ id: z.string() });
const ErrorAnswer = z.looseObject({ error: z.string() });

type Limits = typeof defaultLimits;

/** The instance's limits, asked once; a failed read is asked again next time, meanwhile the default. */
function instanceLimits(client: HttpClient, base: string, headers: Record<string, string>) {
  let known: Limits | undefined;
  return async (): Promise<Limits> => {
    if (known) return known;
    try {
      const r = await client.send('GET', `${base}/api/v2/instance`, undefined, headers);
      const statuses =
        r.status === 200 ? answerOf(InstanceAnswer, r.body)?.configuration.statuses : undefined;
      if (!statuses) return defaultLimits;
      known = {
        max: statuses.max_characters,
        perUrl: statuses.characters_reserved_per_url ?? defaultLimits.perUrl,
      };
      return known;
    } catch {
      return defaultLimits;
    }
  };
}

function failure(status: number, body: string, resetAt: string | null, now = Date.now()): SendResult {
  const base = httpFailure(status, answerOf(ErrorAnswer, body)?.error ?? body);
  if (base.ok || status !== 429 || !resetAt) return base;
  const at = Date.parse(resetAt);
  return Number.isNaN(at) ? base : { ...base, retryAfterMs: Math.max(0, at - now) };
}

/** The post's words: the title, the text cut to the instance's limit, the link. */
function mastodonStatus(message: Message, limits: Limits = defaultLimits, correction = false): string {
  const count = (s: string) => mastodonLength(s, limits.perUrl);
  return socialPost(
    { title: message.title, text: message.text, url: message.url, drill: message.drill, correction },
    limits.max,
    count,
  );
}

export const mastodon = defineChannel({
  type: 'mastodon',
  kind: 'social',
  variant: 'social',
  // The instance says (500 by default); the plan's `lint.limits.social` (280) is the one lint holds to.
  maxLength: null,
  counting: 'graphemes_short_links',
  reach: { broadcast: (s) => ({ contact: s.server }) },
  threads: true,
  settings: {
    server: z.url({ protocol: /^https?$/ }).describe('The account’s server: https://mastodon.social.'),
    token: Secret.describe(
      'An access token of the account with the write:statuses scope (Preferences → Development); a secret.',
    ),
    visibility: z
      .enum(['public', 'unlisted', 'private'])
      .default('public')
      .describe('Who sees the posts: everyone (`public`), not in public timelines (`unlisted`), followers.'),
    language: z
      .string()
      .regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as en')
      .default('en')
      .describe('The posts’ language (ISO 639-1).'),
  },
  secrets: ['token'],
  // One at a time: each post replies to the one before it.
  lane: () => ({ concurrency: 1, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  listener: (settings, deps) => mastodonListener(settings, deps.userAgent),
  create(name, settings, deps) {
    // The server is the administrator's, not a subscriber's: it may be private (a stand-in, an own instance).
    const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 15_000 });
    const base = settings.server.replace(/\/+$/, '');
    const headers = { authorization: `Bearer ${settings.token}`, 'user-agent': deps.userAgent };
    const limits = instanceLimits(client, base, { ...headers, accept: 'application/json' });
    const json = { ...headers, 'content-type': 'application/json', accept: 'application/json' };

    const post = async (
      message: Message,
      replyTo: string | undefined,
      key: string,
      correction = false,
    ): Promise<SendResult> => {
      const body = {
        status: mastodonStatus(message, await limits(), correction),
        visibility: settings.visibility,
        language: settings.language,
        ...(replyTo && { in_reply_to_id: replyTo }),
      };
      const r = await client.post(`${base}/api/v1/statuses`, JSON.stringify(body), {
        ...json,
        'idempotency-key': key,
      });
      if (r.status === 200) {
        const id = answerOf(StatusAnswer, r.body)?.id;
        return { ok: true, ...(id && { providerId: id }) };
      }
      // The post replied to was deleted: the thread starts again rather than the update be lost.
      if (r.status === 404 && replyTo) return post(message, undefined, `${key}:new-thread`, correction);
      return failure(r.status, r.body, header(r, 'x-ratelimit-reset'));
    };

    const edit = async (message: Message, id: string): Promise<SendResult> => {
      const body = { status: mastodonStatus(message, await limits()), language: settings.language };
      const r = await client.send(
        'PUT',
        `${base}/api/v1/statuses/${encodeURIComponent(id)}`,
        JSON.stringify(body),
        json,
      );
      if (r.status === 200) return { ok: true, providerId: answerOf(StatusAnswer, r.body)?.id ?? id };
      // The post is gone: the correction is said in the thread instead.
      if (r.status === 404) return post(message, message.thread?.parent, message.id, true);
      return failure(r.status, r.body, header(r, 'x-ratelimit-reset'));
    };

    return {
      name,
      type: 'mastodon',
      async send(_target, message): Promise<SendResult> {
        try {
          if (message.corrects) return await edit(message, message.corrects);
          return await post(message, message.thread?.parent, message.id);
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
