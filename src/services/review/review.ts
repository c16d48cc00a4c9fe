/**
 * The communication review of an incident: every message in order with who
 * wrote, approved and corrected it; its scores; deliveries per channel;
 * the unsubscribes while it ran; whether customers found the updates helpful,
 * and what the team said; and the charts (deliveries over time, the
 * cadence timeline), each with its figures as a table.
 */
import { z } from 'zod';
import { cadenceChart, deliveriesChart } from '../../domain/charts.ts';
import { isOpen } from '../../domain/incidents.ts';
import { cadenceTimeline, deliveriesOverTime } from '../../domain/timeline.ts';
import type { Ctx } from '../context.ts';
import { FeedbackSummary, feedbackSummary } from '../feedback/summary.ts';
import { authorize } from '../guard.ts';
import { requireIncident } from '../incidents/queries.ts';
import { type IncidentHistory, readHistory, targetsOf } from './history.ts';
import { IncidentScores, scoredOf } from './scores.ts';

const Chart = z.object({
  id: z.enum(['deliveries', 'cadence']),
  title: z.string(),
  svg: z.string().describe('The chart as an SVG document, its title and description inside it.'),
  table: z.object({
    columns: z.array(z.string()),
    rows: z.array(z.array(z.union([z.string(), z.number(), z.null()]))),
  }),
});

const Message = z.object({
  id: z.string(),
  audience: z.string(),
  status: z.string(),
  state: z.string(),
  body: z.string(),
  written_by: z.string(),
  created_at: z.string(),
  submitted_at: z.string().nullable(),
  published_at: z.string().nullable(),
  approved_by: z.array(z.object({ actor: z.string(), at: z.string() })),
  rejected_by: z.array(z.object({ actor: z.string(), at: z.string() })),
  published_unapproved: z.boolean(),
  lint_override: z.boolean(),
  corrected_by: z.array(z.object({ actor: z.string(), at: z.string() })),
});

const ChannelDeliveries = z.object({
  channel: z.string().describe('The kind of subscriber (email, sms, webhook, ...).'),
  total: z.number().int(),
  sent: z.number().int(),
  fallback: z.number().int().describe('Of those sent, carried by a fallback channel.'),
  dead: z.number().int(),
  waiting: z.number().int().describe('Pending, sending, or failed and to be retried.'),
});

export const IncidentReview = z
  .object({
    incident: IncidentScores.omit({ scores: true }).extend({ status: z.string() }),
    messages: z.array(Message),
    scores: IncidentScores.shape.scores,
    deliveries: z.array(ChannelDeliveries),
    unsubscribes: z.object({
      total: z.number().int(),
      by_how: z
        .record(z.string(), z.number().int())
        .describe('By the way they left: link, one-click, sms-stop, ...'),
    }),
    feedback: FeedbackSummary.describe(
      'Whether customers found each update helpful, with their comments (never published), and the team’s ratings.',
    ),
    charts: z.array(Chart),
    generated_at: z.string(),
  })
  .meta({ id: 'IncidentReview' });
export type IncidentReview = z.infer<typeof IncidentReview>;

function perChannel(history: IncidentHistory) {
  const by = new Map<string, z.infer<typeof ChannelDeliveries>>();
  for (const d of history.deliveries) {
    const c = by.get(d.channel) ?? {
      channel: d.channel,
      total: 0,
      sent: 0,
      fallback: 0,
      dead: 0,
      waiting: 0,
    };
    c.total += 1;
    if (d.state === 'sent') c.sent += 1;
    else if (d.state === 'dead') c.dead += 1;
    else c.waiting += 1;
    if (d.state === 'sent' && d.fallback) c.fallback += 1;
    by.set(d.channel, c);
  }
  for (const p of history.pruned) {
    const c = by.get(p.channel) ?? {
      channel: p.channel,
      total: 0,
      sent: 0,
      fallback: 0,
      dead: 0,
      waiting: 0,
    };
    c.total += p.n;
    if (p.state === 'sent') c.sent += p.n;
    else if (p.state === 'dead') c.dead += p.n;
    by.set(p.channel, c);
  }
  return [...by.values()].sort((a, b) => a.channel.localeCompare(b.channel));
}

async function unsubscribesDuring(ctx: Ctx, from: string, to: string) {
  const rows = await ctx.db
    .selectFrom('audit_log')
    .select('after')
    .where('action', '=', 'subscriber.unsubscribe')
    .where('at', '>=', from)
    .where('at', '<=', to)
    .execute();
  const byHow: Record<string, number> = {};
  for (const r of rows) {
    let how = 'unknown';
    try {
      const after = JSON.parse(r.after ?? '{}') as { how?: unknown };
      if (typeof after.how === 'string') how = after.how;
    } catch {
      // An entry whose detail does not parse still counts as one unsubscribe.
    }
    byHow[how] = (byHow[how] ?? 0) + 1;
  }
  return { total: rows.length, by_how: byHow };
}

function chartsOf(history: IncidentHistory, now: string) {
  const i = history.incident;
  const start = i.detected_at ?? i.declared_at;
  const end = i.resolved_at ?? now;
  const sent = history.deliveries.flatMap((d) =>
    d.state === 'sent' && d.sent_at !== null ? [d.sent_at] : [],
  );
  const publications = history.updates.flatMap((u) =>
    u.state === 'published' && u.published_at !== null && u.audience !== 'internal'
      ? [{ audience: u.audience, published_at: u.published_at, next_update_at: u.next_update_at }]
      : [],
  );
  const target = targetsOf(history).first_external_ms;
  const firstDue =
    target === null ? null : new Date(Date.parse(start) + target / i.drill_speed).toISOString();
  const audiences = [
    ...new Set([...history.deadlines.map((d) => d.audience), ...publications.map((p) => p.audience)]),
  ];
  const points = cadenceTimeline(audiences, publications, firstDue, isOpen(i.status), now);
  return [deliveriesChart(deliveriesOverTime(start, sent)), cadenceChart(points, start, end)];
}

export async function incidentReview(ctx: Ctx, incidentId: string): Promise<IncidentReview> {
  authorize(ctx, 'read');
  const row = await requireIncident(ctx.db, incidentId);
  const history = await readHistory(ctx.db, row);
  const now = ctx.clock.now().toISOString();
  const edits = await ctx.db
    .selectFrom('update_edits')
    .select(['update_id', 'actor', 'at'])
    .where('update_id', 'in', history.updates.map((u) => u.id).concat(['']))
    .orderBy('at')
    .execute();
  const { scores, ...incident } = scoredOf(history, now);
  const order = (u: { published_at: string | null; created_at: string }) => u.published_at ?? u.created_at;
  const messages = [...history.updates]
    .filter((u) => u.state !== 'draft')
    .sort((a, b) => order(a).localeCompare(order(b)))
    .map((u) => {
      const decided = (decision: 'approve' | 'reject') =>
        history.decisions
          .filter(
            (d) =>
              d.update_id === u.id &&
              d.decision === decision &&
              (decision === 'reject' || d.round === u.round),
          )
          .map((d) => ({ actor: d.actor, at: d.at }));
      return {
        id: u.id,
        audience: u.audience,
        status: u.status,
        state: u.state,
        body: u.body,
        written_by: u.created_by,
        created_at: u.created_at,
        submitted_at: u.submitted_at,
        published_at: u.state === 'published' ? u.published_at : null,
        approved_by: u.published_unapproved === 1 ? [] : decided('approve'),
        rejected_by: decided('reject'),
        published_unapproved: u.published_unapproved === 1,
        lint_override: u.lint_override !== null,
        corrected_by: edits.filter((e) => e.update_id === u.id).map((e) => ({ actor: e.actor, at: e.at })),
      };
    });
  return {
    incident: { ...incident, status: row.status },
    messages,
    scores,
    deliveries: perChannel(history),
    unsubscribes: await unsubscribesDuring(ctx, row.declared_at, row.resolved_at ?? now),
    feedback: await feedbackSummary(ctx, incidentId),
    charts: chartsOf(history, now),
    generated_at: now,
  };
}
