/**
 * Mastodon, listening (docs.joinmastodon.org): the account's mentions,
 * `GET /api/v1/notifications?types[]=mention&since_id=…` (the token needs
 * read:notifications), and one search per watched term,
 * `GET /api/v2/search?q=…&type=statuses&min_id=…` (read:search). Every
 * answer carries `X-RateLimit-Remaining` and `X-RateLimit-Reset` (an ISO
 * 8601 instant); a 429 says to wait until that reset.
 */
import { z } from 'zod';
import type { Listener, Mention, MentionPage, RateLimit } from './mentions.ts';

const Status = z.looseObject({
  id: z.string(),
  created_at: z.string(),
  url: z.string().nullish(),
  uri: z.string(),
  content: z.string(),
  language: z.string().nullish(),
  account: z.looseObject({ acct: z.string() }),
});
const Notification = z.looseObject({ id: z.string(), type: z.string(), status: Status.nullish() });
const SearchAnswer = z.looseObject({ statuses: z.array(Status) });

/** A page of at most this many: small answers, read often. */
const pageSize = 20;

function rateLimitOf(headers: Headers): RateLimit | null {
  const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
  const reset = Date.parse(headers.get('x-ratelimit-reset') ?? '');
  return Number.isFinite(remaining) && !Number.isNaN(reset) ? { remaining, resetAt: new Date(reset) } : null;
}

/** A status's words without its HTML (Mastodon sends `content` as HTML). */
const textOf = (html: string) =>
  html
    .replace(/<br\s*\/?>|<\/p>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e] ?? '',
    )
    .trim();

const mentionOf = (id: string, s: z.infer<typeof Status>): Mention => ({
  id,
  handle: `@${s.account.acct}`,
  link: s.url ?? s.uri,
  at: s.created_at,
  text: textOf(s.content),
  language: s.language ?? null,
});

/** Mastodon's ids are numbers written as strings, longer ones newer. */
const byId = (a: { id: string }, b: { id: string }) =>
  a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function mastodonListener(
  settings: { server: string; token: string; timeout_ms?: number | undefined },
  userAgent: string,
): Listener {
  const base = settings.server.replace(/\/+$/, '');
  const headers = {
    authorization: `Bearer ${settings.token}`,
    accept: 'application/json',
    'user-agent': userAgent,
  };
  const get = async (path: string, query: URLSearchParams) => {
    const response = await fetch(`${base}${path}?${query}`, {
      headers,
      signal: AbortSignal.timeout(settings.timeout_ms ?? 15_000),
    });
    return { response, limit: rateLimitOf(response.headers) };
  };

  return {
    feeds: (terms) => ['mentions', ...terms.map((t) => `search:${t}`)],
    async read(feed, _terms, since): Promise<MentionPage> {
      try {
        const mentions = feed === 'mentions';
        const query = mentions
          ? new URLSearchParams([
              ['types[]', 'mention'],
              ['limit', String(pageSize)],
            ])
          : new URLSearchParams({
              q: feed.slice('search:'.length),
              type: 'statuses',
              limit: String(pageSize),
            });
        if (since !== null) query.set(mentions ? 'since_id' : 'min_id', since);
        const { response, limit } = await get(mentions ? '/api/v1/notifications' : '/api/v2/search', query);
        if (!response.ok) {
          const said = await response.text();
          return {
            ok: false,
            reason: `HTTP ${response.status}: ${said.slice(0, 200)}`,
            retryAt: response.status === 429 ? (limit?.resetAt ?? null) : null,
          };
        }
        const body: unknown = await response.json();
        const found = mentions
          ? z
              .array(Notification)
              .parse(body)
              .flatMap((n) => (n.type === 'mention' && n.status ? [mentionOf(n.id, n.status)] : []))
          : SearchAnswer.parse(body).statuses.map((s) => mentionOf(s.id, s));
        return { ok: true, mentions: found.sort(byId), limit };
      } catch (err) {
        return { ok: false, reason: err instanceof Error ? err.message : String(err), retryAt: null };
      }
    },
  };
}
