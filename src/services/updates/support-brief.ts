/**
 * The support brief: what the support lead needs to answer tickets the same
 * way the status page does — the latest published public wording (another
 * external audience's only while nothing is public) as a ready reply, the
 * affected components, ETA, next update time, and the internal notes. Served by the API and sent to the support channel on each
 * external publish.
 */
import { z } from 'zod';
import { formatTime } from '../../domain/templates.ts';
import type { Plan } from '../../plan/schema.ts';
import { timeZoneOf, when } from '../../plan/variables.ts';
import type { Db } from '../../store/db.ts';
import { readDeadline } from '../cadence/deadlines.ts';
import type { Ctx } from '../context.ts';
import { keepsOwnState } from '../incidents/drill-state.ts';
import { incidentLink } from '../incidents/links.ts';
import { requireIncident } from '../incidents/queries.ts';
import { drillMark, noticeTo, teamLink } from '../plan/notices.ts';
import { holdersOf } from '../plan/roles.ts';

export const SupportBrief = z
  .object({
    incident_id: z.string(),
    name: z.string(),
    status: z.string(),
    severity: z.string().nullable(),
    impact: z.string(),
    url: z
      .string()
      .describe(
        "The incident's page on the status page once it shows there; the console until then (and for a drill).",
      ),
    reply: z
      .string()
      .nullable()
      .describe(
        'A reply for tickets, built from the latest published public update, or, when there is none, ' +
          'the latest for another external audience (its audience is in `latest_external`); null before any.',
      ),
    latest_external: z
      .object({ body: z.string(), audience: z.string(), published_at: z.string().nullable() })
      .nullable()
      .describe('The update the reply is built from.'),
    components: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })),
    eta: z.string().nullable(),
    next_update_due_at: z
      .string()
      .nullable()
      .describe(
        "When the next update is due to the audience whose words the reply quotes (the page's, public, unless nothing public is published).",
      ),
    eta_text: z.string().nullable().describe("`eta`, written in the page's time zone."),
    next_update_text: z
      .string()
      .nullable()
      .describe("`next_update_due_at`, written in the page's time zone."),
    roles: z.object({
      incident_lead: z.string().nullable(),
      comms_lead: z.string().nullable(),
      support_lead: z.string().nullable(),
    }),
    internal_notes: z.array(z.object({ at: z.string(), body: z.string(), by: z.string() })),
    generated_at: z.string(),
  })
  .meta({ id: 'SupportBrief' });
export type SupportBrief = z.infer<typeof SupportBrief>;

export async function buildSupportBrief(
  ctx: Pick<Ctx, 'db' | 'clock' | 'config'>,
  db: Db,
  incidentId: string,
  plan: Plan | null,
): Promise<SupportBrief> {
  const incident = await requireIncident(db, incidentId);
  const tz = timeZoneOf(plan, ctx.config.page.timeZone);
  // The public wording is what any customer may be told; a named audience's (an enterprise page) may
  // be private, so it is the reply only when nothing public has been published, and says so.
  const published = db
    .selectFrom('incident_updates')
    .select(['body', 'audience', 'published_at'])
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'published')
    .orderBy('published_at', 'desc')
    .orderBy('created_at', 'desc')
    .limit(1);
  const latest =
    (await published.where('audience', '=', 'public').executeTakeFirst()) ??
    (await published.where('audience', 'not in', ['public', 'internal']).executeTakeFirst());
  const notes = await db
    .selectFrom('incident_updates')
    .select(['published_at', 'body', 'created_by'])
    .where('incident_id', '=', incidentId)
    .where('state', '=', 'published')
    .where('audience', '=', 'internal')
    .orderBy('published_at', 'desc')
    .limit(20)
    .execute();
  const components = await db
    .selectFrom('incident_components')
    .innerJoin('components', 'components.id', 'incident_components.component_id')
    .select(['components.id', 'components.name', 'components.status', 'incident_components.drill_status'])
    .where('incident_components.incident_id', '=', incidentId)
    .orderBy('components.position')
    .execute()
    // A drill's or a private incident's components are in its own state, not the public one.
    .then((rows) =>
      rows.map(({ drill_status, ...c }) => ({
        ...c,
        status: keepsOwnState(incident) ? (drill_status ?? c.status) : c.status,
      })),
    );
  // Customers follow the incident's page once it is public, and the status page until then.
  const follow = await incidentLink(db, ctx.config.publicUrl, incident.id, 'customers');
  const url = await teamLink({ db, config: ctx.config }, incident.id);
  // The next update of the audience whose words it quotes, written as its words wrote it.
  const due = (await readDeadline(db, incident.id, latest?.audience ?? 'public')).due_at;
  // In English, as the sentence around it is.
  const dueText =
    due === null ? null : when(due, latest?.published_at ?? ctx.clock.now().toISOString(), tz, 'en');
  const reply =
    latest === undefined
      ? null
      : `Thank you for getting in touch. ${latest.body.trim()}${dueText ? ` Our next update is due by ${dueText}.` : ''} You can follow this incident at ${follow}.`;
  return {
    incident_id: incident.id,
    name: incident.name,
    status: incident.status,
    severity: incident.severity,
    impact: incident.impact,
    url,
    reply,
    latest_external: latest ?? null,
    components,
    eta: incident.eta,
    next_update_due_at: due,
    eta_text: incident.eta ? formatTime(incident.eta, tz) : null,
    next_update_text: dueText,
    roles: await holdersOf(db, incidentId),
    internal_notes: notes.map((n) => ({ at: n.published_at ?? '', body: n.body, by: n.created_by })),
    generated_at: ctx.clock.now().toISOString(),
  };
}

/** The brief as text, under its heading (`GET …/support-brief` as text/plain). */
export function supportBriefText(b: SupportBrief): string {
  return `${supportBriefHeading(b)}\n${supportBriefBody(b)}`;
}

function supportBriefHeading(b: SupportBrief): string {
  return `Support brief: ${b.name}`;
}

/** The brief without its heading: a notice carries that as its title, and a chat shows the title already. */
function supportBriefBody(b: SupportBrief): string {
  const lines = [
    `Status: ${b.status}${b.severity ? ` (${b.severity})` : ''}, impact ${b.impact}`,
    `Affected: ${b.components.length ? b.components.map((c) => `${c.name} (${c.status.replaceAll('_', ' ')})`).join(', ') : 'no components named'}`,
    `Expected fix: ${b.eta_text ?? 'not known yet'}`,
    `Next customer update: ${b.next_update_text ?? 'none planned'}${b.latest_external && b.latest_external.audience !== 'public' ? ` (${b.latest_external.audience})` : ''}`,
    `Incident lead: ${b.roles.incident_lead ?? '-'}; comms lead: ${b.roles.comms_lead ?? '-'}; support lead: ${b.roles.support_lead ?? '-'}`,
    `Link: ${b.url}`,
    '',
    b.latest_external === null || b.latest_external.audience === 'public'
      ? 'Reply to customers:'
      : `Reply to customers (${b.latest_external.audience} wording, nothing public yet: only for ${b.latest_external.audience} customers):`,
    b.reply ?? '(nothing published to customers yet: do not improvise; ask the comms lead)',
  ];
  if (b.internal_notes.length > 0) {
    lines.push('', 'Internal notes (do not share):');
    for (const n of b.internal_notes) lines.push(`- ${n.at} ${n.by}: ${n.body.replace(/\s+/g, ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Sends the brief to the support lead's channel; called on each external publish. */
export async function sendSupportBrief(tx: Ctx, incidentId: string, plan: Plan | null): Promise<void> {
  if (plan === null) return;
  const brief = await buildSupportBrief(tx, tx.db, incidentId, plan);
  await noticeTo(tx, plan, 'support_lead', {
    title: supportBriefHeading(brief),
    text: supportBriefBody(brief),
    url: brief.url,
    impact: brief.impact,
    ...drillMark(await requireIncident(tx.db, incidentId)),
  });
}
