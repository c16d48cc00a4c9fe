/**
 * A round of an incident's sentiment watch, in the worker: each listening
 * account of the plan reads its feeds from where it left off, and the
 * service keeps what came back (src/services/sentiment/watch.ts). An
 * account whose calls are spent, or that a network refused, reads no more
 * feeds this round; the service leaves it alone until its reset.
 */
import type { AccountRead } from '../channels/mentions.ts';
import type { JobContext, JobHandler } from './jobs.ts';

export const listenRound: JobHandler<'sentiment.watch'> = async (jc: JobContext, job) => {
  const round = await jc.services.sentimentRound(job.payload);
  if (round === null) return { done: true };
  const reads: AccountRead[] = [];
  for (const account of round.accounts) {
    const listener = jc.channels.listeners.get(account.channel);
    const network = jc.channels.channels.get(account.channel)?.type;
    if (!listener || !network) continue;
    for (const feed of listener.feeds(round.terms)) {
      const page = await listener.read(feed, round.terms, account.since[feed] ?? null);
      reads.push({ channel: account.channel, network, feed, page });
      if (!page.ok || (page.limit !== null && page.limit.remaining <= 0)) break;
    }
  }
  const next = await jc.services.mentionsRead(job.payload, reads);
  return next === null ? { done: true } : { again: true, at: next };
};
