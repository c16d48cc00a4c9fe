/**
 * What the sentiment watch keeps (migration 0028, docs/sentiment.md). Part
 * of the one schema in schema.ts.
 */
import type { Generated } from 'kysely';
import type { SentimentLabel } from '../domain/sentiment.ts';

interface MentionTable {
  id: Generated<number>;
  incident_id: string;
  /** The channel's type: mastodon, bluesky, x. */
  network: string;
  handle: string;
  link: string;
  posted_at: string;
  score: number;
  label: SentimentLabel;
  language: string | null;
}

interface MentionCursorTable {
  incident_id: string;
  /** The plan's name for the listening account. */
  channel: string;
  /** `mentions`, `search:<term>` or `search`, as the channel module names its feeds. */
  feed: string;
  /** The newest post read there, as the network names it (its since-id). */
  since: string;
}

interface ListenLimitTable {
  channel: string;
  /** The network's rate limit lifts then: the account is not read before. */
  until: string;
}

interface SentimentBurstTable {
  incident_id: string;
  /** When the comms lead was last told. */
  alerted_at: string;
  /** The negative mentions in the 10 minutes before, when told. */
  negatives: number;
  /** 1 once the negatives fell back under the threshold: the next burst is told again. */
  over: number;
}

export interface SentimentTables {
  mentions: MentionTable;
  mention_cursors: MentionCursorTable;
  listen_limits: ListenLimitTable;
  sentiment_bursts: SentimentBurstTable;
}
