/**
 * X: posts to one account through `twitter-api-v2` (docs.x.com, "Create
 * Post"): `POST {endpoint}/2/tweets` signed with OAuth 1.0a user context
 * (HMAC-SHA1 over the app's key and secret and the account's access token
 * and secret), JSON `text` and, for each later update of an incident,
 * `reply.in_reply_to_tweet_id` (the previous post), so followers read one
 * thread. The text is at most 280 weighted characters, counted by
 * `twitter-text` (CJK and emoji 2, a link 23). The API cannot edit a post,
 * so a correction is a reply that says so. 429 answers carry
 * `x-rate-limit-reset` (seconds since the epoch).
 */
import http from 'node:http';
import https from 'node:https';
import type { SendTweetV2Params, TweetV2PostTweetResult } from 'twitter-api-v2';
import { z } from 'zod';
import { socialPost, weightedLength } from '../domain/social-text.ts';
import { Secret } from './settings.ts';
import { type TwitterLibrary, twitterApi } from './social-libraries.ts';
import { defineChannel, type Message, networkFailure, type SendResult } from './types.ts';
import { xListener } from './x-listen.ts';

const maxWeighted = 280;

type Client = InstanceType<TwitterLibrary['TwitterApi']>['readWrite']['v2'];

function failure(err: unknown, lib: TwitterLibrary | undefined, now = Date.now()): SendResult {
  if (!lib) return networkFailure(err);
  const { ApiRequestError, ApiResponseError } = lib;
  if (err instanceof ApiResponseError) {
    const status = err.code;
    const data = err.data as { title?: string; detail?: string };
    const said = data.detail ?? data.title ?? err.message;
    const retry = status >= 500 || status === 429 || status === 408;
    const reset = err.rateLimit?.reset;
    return {
      ok: false,
      retry,
      reason: `HTTP ${status}: ${said}`,
      ...(status === 429 && reset !== undefined && { retryAfterMs: Math.max(0, reset * 1000 - now) }),
    };
  }
  if (err instanceof ApiRequestError) return networkFailure(err.requestError);
  return networkFailure(err);
}

/** The post: the title, the words cut to 280 weighted characters, the link. */
function xText(message: Message, correction: boolean): string {
  return socialPost(
    { title: message.title, text: message.text, url: message.url, drill: message.drill, correction },
    maxWeighted,
    weightedLength,
  );
}

export const x = defineChannel({
  type: 'x',
  kind: 'social',
  variant: 'social',
  maxLength: maxWeighted,
  counting: 'weighted',
  reach: { broadcast: (s) => ({ contact: s.account }) },
  threads: true,
  settings: {
    account: z
      .string()
      .regex(/^@?[A-Za-z0-9_]{1,15}$/, 'the account’s @handle')
      .describe('The account’s @handle, as the delivery log names it.'),
    app_key: Secret.describe('The app’s API key (consumer key); a secret.'),
    app_secret: Secret.describe('The app’s API key secret (consumer secret); a secret.'),
    access_token: Secret.describe(
      'The account’s access token, made with read and write permission; a secret.',
    ),
    access_secret: Secret.describe('The access token’s secret; a secret.'),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .default('https://api.x.com')
      .describe('Another API server (a proxy, a local stand-in).'),
  },
  secrets: ['app_key', 'app_secret', 'access_token', 'access_secret'],
  // One at a time: each post replies to the one before it.
  lane: () => ({ concurrency: 1, maxAttempts: 8, retryBaseMs: 10_000, updates: 'all' }),
  listener: (settings) => xListener(settings),
  create(name, settings) {
    const base = settings.endpoint.replace(/\/+$/, '');
    const timeout = settings.timeout_ms ?? 15_000;
    // The library speaks through node:https; a plain-HTTP endpoint (a stand-in) takes an HTTP agent.
    const httpAgent = base.startsWith('http:')
      ? new http.Agent({ keepAlive: true, timeout })
      : new https.Agent({ keepAlive: true, timeout });
    let v2: Client | undefined;
    const client = async (): Promise<Client> => {
      const { TwitterApi } = await twitterApi();
      v2 ??= new TwitterApi(
        {
          appKey: settings.app_key,
          appSecret: settings.app_secret,
          accessToken: settings.access_token,
          accessSecret: settings.access_secret,
        },
        { httpAgent },
      ).readWrite.v2;
      return v2;
    };
    // The library's own `tweet()` posts to api.x.com; its raw post takes another prefix (the endpoint).
    const prefix = `${base}/2/`;
    return {
      name,
      type: 'x',
      async send(_target, message): Promise<SendResult> {
        const parent = message.thread?.parent;
        try {
          const body: SendTweetV2Params = {
            text: xText(message, message.corrects !== undefined),
            ...(parent && { reply: { in_reply_to_tweet_id: parent } }),
          };
          const posted = await (await client()).post<TweetV2PostTweetResult>('tweets', body, { prefix });
          return { ok: true, providerId: posted.data.id };
        } catch (err) {
          return failure(err, await twitterApi().catch(() => undefined));
        }
      },
      close: async () => {
        httpAgent.destroy();
      },
    };
  },
});
