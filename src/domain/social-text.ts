/**
 * Posts to social networks: how long a text is the way a network counts it,
 * and the post an update becomes there (its title, its words cut to fit,
 * the link to its page). Pure: the channel modules send what this returns.
 */
import { requireOnFirstUse } from './first-use.ts';

// twitter-text is loaded with the first post measured for X.
const twitter = requireOnFirstUse<typeof import('twitter-text')>('twitter-text');

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** Characters as a reader sees them: an emoji with its modifiers, a letter with its accents, is one. */
export function graphemeLength(text: string): number {
  let n = 0;
  for (const _ of graphemes.segment(text)) n++;
  return n;
}

/** twitter-text's weighted length, as X counts a post against its 280. */
export function weightedLength(text: string): number {
  return twitter().parseTweet(text).weightedLength;
}

/** Web addresses as Mastodon finds them in a post (its extractor takes http and https links). */
const urlPattern = /https?:\/\/[^\s<>"]+/g;

/**
 * Mastodon's count (StatusLengthValidator): grapheme clusters, with every
 * link counted as the instance's `characters_reserved_per_url` (23), however long.
 */
export function mastodonLength(text: string, perUrl = 23): number {
  let urls = 0;
  const rest = text.replace(urlPattern, () => {
    urls++;
    return '';
  });
  return graphemeLength(rest) + urls * perUrl;
}

/**
 * How a network counts a post's length: code points (most), grapheme clusters
 * (Bluesky), graphemes with every link as 23 (Mastodon), or twitter-text's
 * weighted count: most scripts 1, CJK and emoji 2, every link 23, within 280 (X).
 */
export type Counting = 'code_points' | 'graphemes' | 'graphemes_short_links' | 'weighted';

export function countAs(counting: Counting, text: string): number {
  switch (counting) {
    case 'code_points':
      return [...text].length;
    case 'graphemes':
      return graphemeLength(text);
    case 'graphemes_short_links':
      return mastodonLength(text);
    case 'weighted':
      return weightedLength(text);
  }
}

/** The longest start of `text`, cut between graphemes and ended by `…`, that `length` counts within `max`. */
function cutTo(text: string, max: number, length: (s: string) => number): string {
  if (length(text) <= max) return text;
  const pieces = [...graphemes.segment(text)].map((s) => s.segment);
  let lo = 0;
  let hi = pieces.length;
  // The most graphemes whose cut, ellipsis included, still fits.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (length(`${pieces.slice(0, mid).join('').trimEnd()}…`) <= max) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? '' : `${pieces.slice(0, lo).join('').trimEnd()}…`;
}

export interface PostParts {
  title: string;
  text: string;
  url?: string | undefined;
  drill?: boolean | undefined;
  /** Said first when a network cannot edit a post: the words correct an earlier one. */
  correction?: boolean;
}

/**
 * One post: the title (marked as a drill or a correction), the words, and the
 * link to the incident's page, within `max` as `length` counts. Only the
 * words are cut; the title and link are what a reader needs to follow up.
 */
export function socialPost(parts: PostParts, max: number, length: (s: string) => number): string {
  const head = `${parts.drill ? '[DRILL] ' : ''}${parts.correction ? 'Correction: ' : ''}${parts.title}`;
  const tail = parts.url ? `\n\n${parts.url}` : '';
  const room = max - length(head) - length(tail) - 2;
  const body = room > 1 ? cutTo(parts.text.trim(), room, length) : '';
  return `${head}${body ? `\n\n${body}` : ''}${tail}`;
}
