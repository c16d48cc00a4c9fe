/**
 * Listening on a social account (the sentiment watch, docs/sentiment.md):
 * what a module that can read mentions and searches offers besides `send`.
 * A read takes a feed (the account's mentions, or a search for the watched
 * terms), the newest post already read (its since-id, so nothing is counted
 * twice) and answers the posts newer than it, oldest first, with what the
 * network's rate-limit headers said.
 */

/** A post that names the account or a watched term, as the network gave it. */
export interface Mention {
  /** The network's id for the post, the since-id of the next read. */
  id: string;
  /** Who posted it (@name@server, name.bsky.social, @name). */
  handle: string;
  /** The post's public address. */
  link: string;
  /** When it was posted (ISO 8601). */
  at: string;
  /** Its words, scored and then dropped: Crier keeps no post's text. */
  text: string;
  /** The language the network says it is in (ISO 639-1), when it says. */
  language: string | null;
}

/** What the rate-limit headers of an answer said: calls left, and when the window starts again. */
export interface RateLimit {
  remaining: number;
  resetAt: Date;
}

export type MentionPage =
  | { ok: true; mentions: Mention[]; limit: RateLimit | null }
  /** Refused: `retryAt` is when the network said to come back (a 429's reset). */
  | { ok: false; reason: string; retryAt: Date | null };

export interface Listener {
  /** The feeds this account reads for these terms (its mentions, one search per term or one for all). */
  feeds(terms: readonly string[]): string[];
  read(feed: string, terms: readonly string[], since: string | null): Promise<MentionPage>;
}

/** A header as a number, or null when absent or not a number. */
function numberHeader(headers: Headers | Record<string, unknown>, name: string): number | null {
  const raw = headers instanceof Headers ? headers.get(name) : headers[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

/**
 * Rate-limit headers whose reset is seconds since the epoch (X's `x-rate-limit-*`,
 * Bluesky's `ratelimit-*`); null when an answer carries none.
 */
export function epochRateLimit(headers: Headers | Record<string, unknown>, prefix: string): RateLimit | null {
  const remaining = numberHeader(headers, `${prefix}remaining`);
  const reset = numberHeader(headers, `${prefix}reset`);
  if (remaining === null || reset === null) return null;
  return { remaining, resetAt: new Date(reset * 1000) };
}

/** One feed of one listening account, as read in one round of the watch. */
export interface AccountRead {
  /** The plan's name for the account's channel. */
  channel: string;
  /** Its type: mastodon, bluesky, x. */
  network: string;
  feed: string;
  page: MentionPage;
}
