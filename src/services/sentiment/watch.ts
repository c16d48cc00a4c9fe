/**
 * The sentiment watch (docs/sentiment.md): while an incident is open, a
 * `sentiment.watch` job reads the plan's listening accounts every `every`
 * (the worker does the reading, src/delivery/listen.ts) and hands what it
 * read here. Each post is scored, kept as little as the counts need
 * (handle, link, time, score, label, language, network; never its words)
 * and counted once; each feed's since-id moves on; a network that said it
 * is spent is left alone until its reset. When the negative mentions of the
 * last 10 minutes reach the plan's threshold, the comms lead is paged the
 * way a runbook's `page` step does it, once per burst, and it is audited.
 */

import type { AccountRead } from '../../channels/mentions.ts';
import { parseDuration } from '../../domain/duration.ts';
import { scoreSentiment } from '../../domain/sentiment.ts';
import type { Plan } from '../../plan/schema.ts';
import { enqueueJob, type JobPayloads } from '../../store/outbox.ts';
import type { IncidentRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { drillMark, pageHolder, teamLink } from '../plan/notices.ts';
import { holdersOf } from '../plan/roles.ts';
import { withTransaction } from '../transaction.ts';

/** The window the plan's threshold counts negative mentions in. */
const burstWindowMs = 10 * 60_000;

type WatchJob = JobPayloads['sentiment.watch'];

/**
 * Arms the watch of a newly declared incident when the plan listens (drills
 * are not watched); `reopened` arms it again for an incident that was closed
 * and is open once more (its earlier watch ended when it closed).
 */
export async function startSentimentWatch(
  tx: Ctx,
  incident: IncidentRow,
  plan: Plan | null,
  reopened = false,
): Promise<void> {
  if (plan?.sentiment === undefined || incident.drill === 1) return;
  await enqueueJob(tx, {
    kind: 'sentiment.watch',
    payload: { incident_id: incident.id },
    dedupeKey: `sentiment:${incident.id}`,
    replace: reopened,
  });
}

interface WatchRound {
  /** The plan's terms and the incident's components' names. */
  terms: string[];
  accounts: { channel: string; since: Record<string, string> }[];
}

const isOpen = (incident: { status: string }) =>
  incident.status !== 'resolved' && incident.status !== 'postmortem';

/** What one round reads, or null once the incident is closed (or gone) or the plan no longer listens. */
async function sentimentRound(ctx: Ctx, job: WatchJob): Promise<WatchRound | null> {
  const plan = await currentPlan(ctx.db);
  const incident = await ctx.db
    .selectFrom('incidents')
    .select(['id', 'status'])
    .where('id', '=', job.incident_id)
    .executeTakeFirst();
  if (!plan?.sentiment || !incident || !isOpen(incident)) return null;
  const components = await ctx.db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select('components.name')
    .where('incident_components.incident_id', '=', incident.id)
    .execute();
  const terms = [...new Set([...plan.sentiment.terms, ...components.map((c) => c.name)])];
  const now = ctx.clock.now().toISOString();
  const quiet = new Set(
    (await ctx.db.selectFrom('listen_limits').select('channel').where('until', '>', now).execute()).map(
      (r) => r.channel,
    ),
  );
  const cursors = await ctx.db
    .selectFrom('mention_cursors')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .execute();
  const accounts = plan.sentiment.accounts
    .filter((channel) => !quiet.has(channel))
    .map((channel) => ({
      channel,
      since: Object.fromEntries(cursors.filter((c) => c.channel === channel).map((c) => [c.feed, c.since])),
    }));
  return { terms, accounts };
}

/** `en-US` → `en`; a post that names no language is taken to be in the page's. */
const languageOf = (language: string | null, plan: Plan) =>
  (language ?? plan.page?.language ?? 'en').slice(0, 2).toLowerCase();

/**
 * Keeps what a round read, moves the since-ids on, notes the networks' limits, and tells the
 * comms lead of a burst. Returns when the next round is due, or null when the watch ends.
 */
async function mentionsRead(ctx: Ctx, job: WatchJob, reads: readonly AccountRead[]): Promise<Date | null> {
  return withTransaction(ctx, async (tx) => {
    const plan = await currentPlan(tx.db);
    const watch = plan?.sentiment;
    if (!plan || !watch) return null;
    const now = tx.clock.now();
    for (const read of reads) {
      const { page } = read;
      const until = page.ok
        ? page.limit && page.limit.remaining <= 0
          ? page.limit.resetAt
          : null
        : page.retryAt;
      if (until !== null) await quietUntil(tx, read.channel, until);
      if (!page.ok) {
        tx.log.warn(
          { channel: read.channel, feed: read.feed, reason: page.reason },
          'sentiment watch: read refused',
        );
        continue;
      }
      const last = page.mentions.at(-1);
      if (last === undefined) continue;
      await tx.db
        .insertInto('mentions')
        .values(
          page.mentions.map((m) => {
            const language = languageOf(m.language, plan);
            const { score, label } = scoreSentiment(m.text, language);
            return {
              incident_id: job.incident_id,
              network: read.network,
              handle: m.handle,
              link: m.link,
              posted_at: new Date(m.at).toISOString(),
              score,
              label,
              language,
            };
          }),
        )
        .onConflict((oc) => oc.columns(['incident_id', 'link']).doNothing())
        .execute();
      await tx.db
        .insertInto('mention_cursors')
        .values({ incident_id: job.incident_id, channel: read.channel, feed: read.feed, since: last.id })
        .onConflict((oc) => oc.columns(['incident_id', 'channel', 'feed']).doUpdateSet({ since: last.id }))
        .execute();
    }
    await tellOfBurst(tx, plan, job.incident_id, watch.negative_threshold);
    return new Date(now.getTime() + (parseDuration(watch.every) ?? 60_000));
  });
}

async function quietUntil(tx: Ctx, channel: string, until: Date): Promise<void> {
  const at = until.toISOString();
  await tx.db
    .insertInto('listen_limits')
    .values({ channel, until: at })
    .onConflict((oc) => oc.column('channel').doUpdateSet({ until: at }))
    .execute();
}

/** Pages the comms lead when the last 10 minutes' negatives reach the threshold, once per burst. */
async function tellOfBurst(tx: Ctx, plan: Plan, incidentId: string, threshold: number): Promise<void> {
  const now = tx.clock.now();
  const since = new Date(now.getTime() - burstWindowMs).toISOString();
  const counted = await tx.db
    .selectFrom('mentions')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('incident_id', '=', incidentId)
    .where('label', '=', 'negative')
    .where('posted_at', '>=', since)
    .executeTakeFirstOrThrow();
  const negatives = Number(counted.n);
  const burst = await tx.db
    .selectFrom('sentiment_bursts')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .executeTakeFirst();
  if (negatives < threshold) {
    // The burst is over: the next one is told again.
    if (burst && burst.over === 0)
      await tx.db
        .updateTable('sentiment_bursts')
        .set({ over: 1 })
        .where('incident_id', '=', incidentId)
        .execute();
    return;
  }
  if (burst && burst.over === 0) return;
  const incident = await tx.db
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', incidentId)
    .executeTakeFirstOrThrow();
  const holder = (await holdersOf(tx.db, incidentId)).comms_lead;
  const message = {
    title: `${negatives} negative mentions in 10 minutes about "${incident.name}"`,
    text: `${holder ?? 'Comms lead'}: ${negatives} negative posts in the last 10 minutes (the plan's threshold is ${threshold}). See the incident's sentiment and consider an update.`,
    url: await teamLink(tx, incidentId),
    impact: incident.impact,
    ...drillMark(incident),
  };
  const via = holder === null ? [] : await pageHolder(tx, plan, 'comms_lead', holder, message);
  const row = { alerted_at: now.toISOString(), negatives, over: 0 };
  await tx.db
    .insertInto('sentiment_bursts')
    .values({ incident_id: incidentId, ...row })
    .onConflict((oc) => oc.column('incident_id').doUpdateSet(row))
    .execute();
  await audit(tx, {
    action: 'sentiment.burst',
    subjectType: 'incident',
    subjectId: incidentId,
    after: { negatives, threshold, comms_lead: holder, via },
  });
}

/** The watch's two verbs as the delivery worker calls them (src/delivery/ports.ts), acting as `ctx`. */
export function sentimentWatch(ctx: Ctx) {
  return {
    sentimentRound: (job: WatchJob) => sentimentRound(ctx, job),
    mentionsRead: (job: WatchJob, reads: readonly AccountRead[]) => mentionsRead(ctx, job, reads),
  };
}
