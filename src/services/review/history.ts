/**
 * What an incident left behind, read once for its scores, its review and
 * the trends: the incident, the plan it ran under, its updates with the
 * approvals of their last round, each external audience's cadence count,
 * and the deliveries of its updates (marked where a fallback carried them).
 */
import { parseDuration } from '../../domain/duration.ts';
import type { DeliveryFacts, ScoreTargets, UpdateFacts } from '../../domain/scores.ts';
import { Plan } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import { planJsonOf } from '../../store/json.ts';
import type {
  DeliveryState,
  IncidentDeadlineRow,
  IncidentRow,
  IncidentUpdateRow,
} from '../../store/schema.ts';
import { currentPlan } from '../plan/current.ts';

interface ReviewDelivery extends DeliveryFacts {
  /** The kind of subscriber (email, sms, ...). */
  channel: string;
  /** The configured channel that last carried it. */
  via: string | null;
  state: DeliveryState;
}

interface Decided {
  update_id: string;
  round: number;
  actor: string;
  decision: 'approve' | 'reject';
  at: string;
}

export interface IncidentHistory {
  incident: IncidentRow;
  plan: Plan | null;
  updates: IncidentUpdateRow[];
  decisions: Decided[];
  deadlines: IncidentDeadlineRow[];
  deliveries: ReviewDelivery[];
  /** Deliveries retention removed, counted by channel and state (they no longer say when they were sent). */
  pruned: { channel: string; state: DeliveryState; n: number }[];
}

/** The plan an incident ran under: the version in force at its declaration, or today's when it has none. */
async function planOf(db: Db, version: number | null): Promise<Plan | null> {
  if (version === null) return currentPlan(db);
  const row = await db
    .selectFrom('plan_versions')
    .select('plan')
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? Plan.parse(planJsonOf(row)) : currentPlan(db);
}

/**
 * The channels the plan names as another's fallback. A delivery whose
 * carrier is one of them, and not the channel named like its kind, was
 * carried by a fallback.
 */
function fallbackNames(plan: Plan | null): Set<string> {
  const names = new Set<string>();
  for (const [name, settings] of Object.entries(plan?.channels ?? {})) {
    if (settings.fallback !== undefined && settings.fallback !== name) names.add(settings.fallback);
  }
  return names;
}

export async function readHistory(db: Db, incident: IncidentRow): Promise<IncidentHistory> {
  const plan = await planOf(db, incident.plan_version);
  const updates = await db
    .selectFrom('incident_updates')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const decisions = await db
    .selectFrom('update_decisions')
    .innerJoin('incident_updates', 'incident_updates.id', 'update_decisions.update_id')
    .select([
      'update_decisions.update_id',
      'update_decisions.round',
      'update_decisions.actor',
      'update_decisions.decision',
      'update_decisions.at',
    ])
    .where('incident_updates.incident_id', '=', incident.id)
    .orderBy('update_decisions.at')
    .orderBy('update_decisions.id')
    .execute();
  const deadlines = await db
    .selectFrom('incident_deadlines')
    .selectAll()
    .where('incident_id', '=', incident.id)
    .orderBy('audience')
    .execute();
  const fallbacks = fallbackNames(plan);
  const deliveries = (
    await db
      .selectFrom('deliveries')
      .select(['subject_id', 'channel', 'via', 'state', 'sent_at'])
      .where('incident_id', '=', incident.id)
      .where('subject_type', '=', 'incident_update')
      .orderBy('sent_at')
      .orderBy('id')
      .execute()
  ).map((d) => ({
    update_id: d.subject_id,
    channel: d.channel,
    via: d.via,
    state: d.state,
    sent_at: d.sent_at,
    fallback: d.via !== null && d.via !== d.channel && fallbacks.has(d.via),
  }));
  const pruned =
    updates.length === 0
      ? []
      : await db
          .selectFrom('delivery_counts')
          .select(['channel', 'state'])
          .select((eb) => eb.fn.sum<number | string>('n').as('n'))
          .where('subject_type', '=', 'incident_update')
          .where(
            'subject_id',
            'in',
            updates.map((u) => u.id),
          )
          .groupBy(['channel', 'state'])
          .orderBy('channel')
          .execute();
  return {
    incident,
    plan,
    updates,
    decisions,
    deadlines,
    deliveries,
    pruned: pruned.map((p) => ({ channel: p.channel, state: p.state, n: Number(p.n) })),
  };
}

/** The plan's targets for the incident's severity, as the plan writes them (never divided by a drill's speed). */
export function targetsOf(history: IncidentHistory): ScoreTargets {
  const severity = history.incident.severity;
  const spec = severity === null ? undefined : history.plan?.severities[severity];
  const within = spec?.first_external_within;
  return { first_external_ms: within === undefined ? null : parseDuration(within) };
}

/** Each update's facts for scoring: the approval of its last round is when it was approved. */
export function updateFacts(history: IncidentHistory): UpdateFacts[] {
  return history.updates.map((u) => {
    const approvals = history.decisions.filter(
      (d) => d.update_id === u.id && d.round === u.round && d.decision === 'approve',
    );
    const approved = u.state === 'published' && u.published_unapproved === 0 ? approvals.at(-1) : undefined;
    return {
      id: u.id,
      audience: u.audience,
      published_at: u.state === 'published' ? u.published_at : null,
      submitted_at: u.submitted_at,
      approved_at: approved?.at ?? null,
      published_unapproved: u.published_unapproved === 1,
      lint_override: u.lint_override !== null,
    };
  });
}
