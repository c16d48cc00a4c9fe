/**
 * Bluesky, listening (docs.bsky.app, `app.bsky.feed.searchPosts`): one
 * search per watched term, newest first (`sort=latest`), posts indexed
 * since the last one read (`since`, inclusive: a post read twice is the
 * same link and is kept once). The session is the account's own, opened
 * with its app password through `@atproto/api`. Answers carry
 * `ratelimit-remaining` and `ratelimit-reset` (seconds since the epoch);
 * a 429 says to wait until that reset.
 */
import type { AtpAgent } from '@atproto/api';
import { epochRateLimit, type Listener, type MentionPage } from './mentions.ts';
import { atproto } from './social-libraries.ts';

const pageSize = 50;

/** A post's address on bsky.app: its author and its record key (the AT URI's last part). */
const linkOf = (handle: string, uri: string) =>
  `https://bsky.app/profile/${handle}/post/${uri.slice(uri.lastIndexOf('/') + 1)}`;

export function blueskyListener(settings: {
  service: string;
  identifier: string;
  app_password: string;
  timeout_ms?: number | undefined;
}): Listener {
  const timeoutMs = settings.timeout_ms ?? 15_000;
  let agent: AtpAgent | undefined;
  return {
    feeds: (terms) => terms.map((t) => `search:${t}`),
    async read(feed, _terms, since): Promise<MentionPage> {
      const { AtpAgent, XRPCError } = await atproto();
      agent ??= new AtpAgent({
        service: settings.service,
        fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
      });
      try {
        if (!agent.hasSession)
          await agent.login({ identifier: settings.identifier, password: settings.app_password });
        const answer = await agent.app.bsky.feed.searchPosts({
          q: feed.slice('search:'.length),
          sort: 'latest',
          limit: pageSize,
          ...(since !== null && { since }),
        });
        const mentions = answer.data.posts.map((post) => {
          const record = post.record as { text?: unknown; createdAt?: unknown; langs?: unknown };
          const langs = Array.isArray(record.langs) ? record.langs : [];
          return {
            id: post.indexedAt,
            handle: post.author.handle,
            link: linkOf(post.author.handle, post.uri),
            at: typeof record.createdAt === 'string' ? record.createdAt : post.indexedAt,
            text: typeof record.text === 'string' ? record.text : '',
            language: typeof langs[0] === 'string' ? langs[0] : null,
          };
        });
        mentions.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        return { ok: true, mentions, limit: epochRateLimit(answer.headers, 'ratelimit-') };
      } catch (err) {
        if (!(err instanceof XRPCError)) return { ok: false, reason: String(err), retryAt: null };
        const limit = err.headers ? epochRateLimit(err.headers, 'ratelimit-') : null;
        return {
          ok: false,
          reason: `HTTP ${err.status}: ${err.error}`,
          retryAt: err.status === 429 ? (limit?.resetAt ?? null) : null,
        };
      }
    },
  };
}
