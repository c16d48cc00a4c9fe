/**
 * Bluesky: posts to one account through `@atproto/api` (docs.bsky.app):
 * a session opened with an app password (`com.atproto.server.createSession`
 * on the configured service, kept and refreshed by the library, opened again
 * only when lost), then each post an `app.bsky.feed.post` record
 * (`com.atproto.repo.createRecord`) with `langs`, a link facet over the
 * incident's page (byte offsets in UTF-8, as the record's facets count) and,
 * for each later update of an incident, reply refs to the thread's first post
 * (`root`) and the previous one (`parent`), so followers read one thread. The
 * text is at most 300 graphemes. A record cannot be edited in place, so a
 * correction is a reply that says so. Errors are XRPC errors: 429 carries
 * `ratelimit-reset` (seconds since the epoch).
 */
import type { AtpAgent, XRPCError } from '@atproto/api';
import { z } from 'zod';
import { graphemeLength, socialPost } from '../domain/social-text.ts';
import { blueskyListener } from './bluesky-listen.ts';
import { Secret } from './settings.ts';
import { atproto } from './social-libraries.ts';
import { defineChannel, type Message, networkFailure, type SendResult } from './types.ts';

/** app.bsky.feed.post's `text`: at most 300 graphemes. */
const maxGraphemes = 300;

/** A post as Bluesky names it, strong ref style: its record's AT URI and content id. */
interface PostRef {
  uri: string;
  cid: string;
}
/** Kept as the delivery's provider id, the reference a reply needs: `<at uri> <cid>`. */
const refOf = (providerId: string): PostRef | undefined => {
  const [uri, cid] = providerId.split(' ');
  return uri?.startsWith('at://') && cid ? { uri, cid } : undefined;
};

/** The post's text, and a link facet over the incident's page where it stands in it. */
function blueskyPost(message: Message, correction: boolean) {
  const text = socialPost(
    { title: message.title, text: message.text, url: message.url, drill: message.drill, correction },
    maxGraphemes,
    graphemeLength,
  );
  const at = message.url ? text.lastIndexOf(message.url) : -1;
  const facets =
    message.url && at >= 0
      ? [
          {
            index: {
              byteStart: Buffer.byteLength(text.slice(0, at)),
              byteEnd: Buffer.byteLength(text.slice(0, at)) + Buffer.byteLength(message.url),
            },
            features: [{ $type: 'app.bsky.richtext.facet#link', uri: message.url }],
          },
        ]
      : [];
  return { text, facets };
}

function failure(err: unknown, xrpcError: typeof XRPCError | undefined, now = Date.now()): SendResult {
  if (!xrpcError || !(err instanceof xrpcError)) return networkFailure(err);
  const status: number = err.status;
  const reason = `HTTP ${status}: ${err.error}${err.message && err.message !== err.error ? ` (${err.message})` : ''}`;
  // 1 and 2 are the library's own: no answer, or one it could not read.
  const retry = status >= 500 || status === 429 || status === 408 || status < 100;
  const reset = Number(err.headers?.['ratelimit-reset']);
  return {
    ok: false,
    retry,
    reason,
    ...(status === 429 && Number.isFinite(reset) && { retryAfterMs: Math.max(0, reset * 1000 - now) }),
  };
}

export const bluesky = defineChannel({
  type: 'bluesky',
  kind: 'social',
  variant: 'social',
  maxLength: maxGraphemes,
  counting: 'graphemes',
  reach: { broadcast: (s) => ({ contact: s.identifier }) },
  threads: true,
  settings: {
    service: z
      .url({ protocol: /^https?$/ })
      .default('https://bsky.social')
      .describe('The account’s PDS or entryway: https://bsky.social.'),
    identifier: z.string().min(1).describe('The account’s handle (acme.bsky.social) or DID.'),
    app_password: Secret.describe(
      'An app password of the account (Settings → Privacy and security → App passwords); a secret.',
    ),
    language: z
      .string()
      .regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as en')
      .default('en')
      .describe('The posts’ language (`langs`).'),
  },
  secrets: ['app_password'],
  // One at a time: each post replies to the one before it.
  lane: () => ({ concurrency: 1, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  listener: (settings) => blueskyListener(settings),
  create(name, settings) {
    const timeoutMs = settings.timeout_ms ?? 15_000;
    let agent: AtpAgent | undefined;
    // createSession is rate limited hard (30 in 5 minutes): one session, opened again only once lost.
    let opening: Promise<unknown> | null = null;
    const session = async (): Promise<AtpAgent> => {
      const { AtpAgent } = await atproto();
      agent ??= new AtpAgent({
        service: settings.service,
        fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) }),
      });
      const open = agent;
      if (open.hasSession) return open;
      opening ??= open
        .login({ identifier: settings.identifier, password: settings.app_password })
        .finally(() => {
          opening = null;
        });
      await opening;
      return open;
    };
    return {
      name,
      type: 'bluesky',
      async send(_target, message): Promise<SendResult> {
        const root = message.thread && refOf(message.thread.root);
        const parent = message.thread && refOf(message.thread.parent);
        const { text, facets } = blueskyPost(message, message.corrects !== undefined);
        try {
          const posted = await (await session()).post({
            text,
            facets,
            langs: [settings.language],
            ...(root && parent && { reply: { root, parent } }),
          });
          return { ok: true, providerId: `${posted.uri} ${posted.cid}` };
        } catch (err) {
          return failure(err, (await atproto().catch(() => undefined))?.XRPCError);
        }
      },
      close: async () => {},
    };
  },
});
