/**
 * The plan's `sentiment` section: what the sentiment watch listens for while
 * an incident is open (docs/sentiment.md). The terms (the brand, product
 * names; each incident's components are added to them), the social accounts
 * that listen, how many negative mentions in 10 minutes tell the comms
 * lead, how often the accounts are read, and how long mentions are kept.
 */
import { z } from 'zod';
import { channelModules } from '../channels/registry.ts';
import { Duration, Name } from './primitives.ts';

export const SentimentSection = z
  .strictObject({
    terms: z
      .array(z.string().trim().min(2).max(100))
      .min(1)
      .max(20)
      .describe('What people call the service: the brand, product names, the accounts’ handles.'),
    accounts: z
      .array(Name)
      .min(1)
      .max(10)
      .describe('The plan’s social channels (mastodon, bluesky, x) whose accounts read mentions and search.'),
    negative_threshold: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .describe('Negative mentions within 10 minutes that tell the incident’s comms lead (once per burst).'),
    every: Duration.default('1m').describe('How often each account is read while an incident is open (1m).'),
    retention_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .default(30)
      .describe('Mentions (handle, link, time, score) are deleted this many days after they were posted.'),
  })
  .describe(
    'The sentiment watch: listening to social networks while an incident is open (docs/sentiment.md).',
  );
export type SentimentSection = z.infer<typeof SentimentSection>;

/** What is wrong with the section against the plan's channels: each account a channel that can listen. */
export function checkSentiment(
  section: SentimentSection | undefined,
  channels: Readonly<Record<string, { type: string }>>,
): { path: string; message: string }[] {
  if (section === undefined) return [];
  return section.accounts.flatMap((name, i) => {
    const type = channels[name]?.type;
    const path = `sentiment.accounts.${i}`;
    if (type === undefined) return [{ path, message: `no channel named "${name}" in the plan` }];
    const module = (channelModules as Readonly<Record<string, { listener?: unknown }>>)[type];
    if (module?.listener === undefined)
      return [
        { path, message: `"${name}" is a ${type} channel, which cannot listen: use mastodon, bluesky or x` },
      ];
    return [];
  });
}
