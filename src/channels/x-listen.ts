/**
 * X, listening (docs.x.com, "Search recent Posts"):
 * `GET {endpoint}/2/tweets/search/recent` with one query for all the
 * watched terms (`"Acme Cloud" OR acmecloud -is:retweet`: a repost says
 * nothing new), `since_id` the newest post already read, signed with the
 * account's OAuth 1.0a user context like its posts. Answers carry
 * `x-rate-limit-remaining` and `x-rate-limit-reset` (seconds since the
 * epoch); a 429 says to wait until that reset.
 */
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import type { Listener, MentionPage } from './mentions.ts';
import { type TwitterLibrary, twitterApi } from './social-libraries.ts';

const SearchAnswer = z.looseObject({
  data: z
    .array(
      z.looseObject({
        id: z.string(),
        text: z.string(),
        created_at: z.string(),
        lang: z.string().optional(),
        author_id: z.string().optional(),
      }),
    )
    .optional(),
  includes: z
    .looseObject({ users: z.array(z.looseObject({ id: z.string(), username: z.string() })).optional() })
    .optional(),
});

const pageSize = 100;

/** The terms as one query: a term of several words quoted, so it is searched as a phrase. */
export const xQuery = (terms: readonly string[]) =>
  `${terms.map((t) => (/\s/.test(t) ? `"${t.replaceAll('"', '')}"` : t)).join(' OR ')} -is:retweet`;

export function xListener(settings: {
  app_key: string;
  app_secret: string;
  access_token: string;
  access_secret: string;
  endpoint: string;
  timeout_ms?: number | undefined;
}): Listener {
  const base = settings.endpoint.replace(/\/+$/, '');
  const timeout = settings.timeout_ms ?? 15_000;
  const httpAgent = base.startsWith('http:')
    ? new http.Agent({ keepAlive: true, timeout })
    : new https.Agent({ keepAlive: true, timeout });
  let client: InstanceType<TwitterLibrary['TwitterApi']>['v2'] | undefined;
  return {
    feeds: () => ['search'],
    async read(_feed, terms, since): Promise<MentionPage> {
      const { ApiRequestError, ApiResponseError, TwitterApi } = await twitterApi();
      client ??= new TwitterApi(
        {
          appKey: settings.app_key,
          appSecret: settings.app_secret,
          accessToken: settings.access_token,
          accessSecret: settings.access_secret,
        },
        { httpAgent },
      ).v2;
      try {
        const answer = await client.get(
          'tweets/search/recent',
          {
            query: xQuery(terms),
            max_results: pageSize,
            'tweet.fields': 'created_at,lang,author_id',
            expansions: 'author_id',
            'user.fields': 'username',
            ...(since !== null && { since_id: since }),
          },
          { prefix: `${base}/2/`, fullResponse: true },
        );
        const body = SearchAnswer.parse(answer.data);
        const users = new Map((body.includes?.users ?? []).map((u) => [u.id, u.username]));
        const mentions = (body.data ?? []).map((post) => {
          const username = (post.author_id && users.get(post.author_id)) ?? 'i';
          return {
            id: post.id,
            handle: `@${username}`,
            link: `https://x.com/${username}/status/${post.id}`,
            at: post.created_at,
            text: post.text,
            language: post.lang ?? null,
          };
        });
        mentions.sort((a, b) => a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const limit = answer.rateLimit;
        return {
          ok: true,
          mentions,
          limit: limit ? { remaining: limit.remaining, resetAt: new Date(limit.reset * 1000) } : null,
        };
      } catch (err) {
        if (err instanceof ApiResponseError) {
          const reset = err.rateLimit?.reset;
          return {
            ok: false,
            reason: `HTTP ${err.code}: ${err.message}`,
            retryAt: err.code === 429 && reset !== undefined ? new Date(reset * 1000) : null,
          };
        }
        const cause = err instanceof ApiRequestError ? err.requestError : err;
        return { ok: false, reason: cause instanceof Error ? cause.message : String(cause), retryAt: null };
      }
    },
  };
}
