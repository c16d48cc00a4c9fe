/**
 * Reading subscribers for the admin: lists, search, counts, one, and each one's delivery log.
 * Who the subscribers are (lists, a record, the delivery log) needs `subscriber.read`; counts are
 * for anyone who may read.
 */
import { z } from 'zod';
import { subscriberKinds } from '../../channels/types.ts';
import { CrierError } from '../../domain/errors.ts';
import { channelName } from '../../plan/channels.ts';
import type { Db } from '../../store/db.ts';
import { affectedComponentsOf } from '../../store/json.ts';
import type { SubscriberRow } from '../../store/schema.ts';
import { deliveryStates, subscriberStates } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { offsetOf, type Page, Pagination } from '../pagination.ts';
import { type SubscriberView, subscriberView } from './views.ts';

export const SubscriberQuery = Pagination.extend({
  q: z.string().max(200).optional(),
  state: z.enum(subscriberStates).optional(),
  kind: z.enum(subscriberKinds).optional(),
  audience: z.string().max(64).optional(),
  component_id: z.string().max(64).optional(),
});
export type SubscriberQuery = z.infer<typeof SubscriberQuery>;

export async function listSubscribers(ctx: Ctx, q: SubscriberQuery): Promise<Page<SubscriberView>> {
  authorize(ctx, 'subscriber.read');
  const db = ctx.db;
  let query = db.selectFrom('subscribers');
  if (q.q) query = query.where('contact_key', 'like', `%${q.q.toLowerCase().replace(/[%_]/g, '')}%`);
  if (q.state) query = query.where('state', '=', q.state);
  if (q.kind) query = query.where('kind', '=', q.kind);
  if (q.audience) query = query.where('audience', '=', q.audience);
  if (q.component_id) {
    const id = q.component_id;
    query = query.where((eb) =>
      eb.or([
        eb('all_components', '=', 1),
        eb.exists(
          eb
            .selectFrom('subscriber_components')
            .select('subscriber_id')
            .whereRef('subscriber_components.subscriber_id', '=', 'subscribers.id')
            .where('component_id', '=', id),
        ),
      ]),
    );
  }
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await query
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(q.per_page)
    .offset(offsetOf(q))
    .execute();
  return {
    items: rows.map((r) => subscriberView(r)),
    total: Number(total?.n ?? 0),
    page: q.page,
    per_page: q.per_page,
  };
}

/** One subscriber's record, with its contact. */
export async function getSubscriber(ctx: Ctx, id: string): Promise<SubscriberView> {
  authorize(ctx, 'subscriber.read');
  return subscriberView(await requireSubscriber(ctx.db, id));
}

export async function requireSubscriber(db: Db, id: string): Promise<SubscriberRow> {
  const row = await db.selectFrom('subscribers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw new CrierError('subscriber_not_found', `No subscriber has the id ${id}.`, { id });
  return row;
}

export const SubscriberCounts = z
  .record(z.string(), z.record(z.string(), z.number()))
  .describe('Subscribers by kind, then state; `total` by state over every kind.')
  .meta({ id: 'SubscriberCounts' });
export type SubscriberCounts = Record<string, Record<string, number>> & { total: Record<string, number> };

/** Counts by kind and state, plus totals per state. */
export async function countSubscribers(db: Db, audience?: string): Promise<SubscriberCounts> {
  let q = db
    .selectFrom('subscribers')
    .select(['kind', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy(['kind', 'state']);
  if (audience) q = q.where('audience', '=', audience);
  const rows = await q.execute();
  const counts: SubscriberCounts = { total: {} };
  for (const r of rows) {
    const byState = counts[r.kind] ?? {};
    byState[r.state] = Number(r.n);
    counts[r.kind] = byState;
    counts.total[r.state] = (counts.total[r.state] ?? 0) + Number(r.n);
  }
  return counts;
}

export const DeliveryView = z
  .object({
    id: z.string(),
    subject_type: z.string(),
    subject_id: z.string(),
    incident_id: z.string().nullable(),
    subscriber_id: z.string(),
    channel: z.string(),
    via: z.string().nullable(),
    state: z.enum(deliveryStates),
    attempts: z.number(),
    next_attempt_at: z.string(),
    provider_id: z.string().nullable(),
    last_error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    sent_at: z.string().nullable(),
  })
  .meta({ id: 'Delivery' });
export type DeliveryView = z.infer<typeof DeliveryView>;

/** Every field of a delivery's view is one of its columns, as stored. */
const deliveryColumns = DeliveryView.keyof().options;

export const DeliveryQuery = Pagination.extend({
  state: z.enum(deliveryStates).optional(),
  /** A kind of subscriber (`email`…), or a broadcast channel's name (`telegram`). */
  channel: z.string().regex(channelName).optional(),
  subject_id: z.string().max(200).optional(),
  subscriber_id: z.string().max(64).optional(),
});
export type DeliveryQuery = z.infer<typeof DeliveryQuery>;

/** The delivery log: whom each message went to and what their provider answered (errors may quote a contact). */
export async function listDeliveries(ctx: Ctx, q: DeliveryQuery): Promise<Page<DeliveryView>> {
  authorize(ctx, 'subscriber.read');
  const db = ctx.db;
  let query = db.selectFrom('deliveries');
  if (q.state) query = query.where('state', '=', q.state);
  if (q.channel) query = query.where('channel', '=', q.channel);
  if (q.subject_id) query = query.where('subject_id', '=', q.subject_id);
  if (q.subscriber_id) query = query.where('subscriber_id', '=', q.subscriber_id);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await query
    .select(deliveryColumns)
    .orderBy('updated_at', 'desc')
    .orderBy('id')
    .limit(q.per_page)
    .offset(offsetOf(q))
    .execute();
  return { items: rows, total: Number(total?.n ?? 0), page: q.page, per_page: q.per_page };
}

const FanoutState = z
  .string()
  .describe('pending | running | done | dead | none: whether the fan-out has written every delivery yet.');

export const UpdateDeliveryCounts = z
  .object({
    update_id: z.string(),
    fanout: FanoutState,
    total: z.number(),
    by_state: z.record(z.string(), z.number()),
    by_channel: z.record(z.string(), z.record(z.string(), z.number())),
    component_events: z
      .object({ fanout: FanoutState, total: z.number(), by_state: z.record(z.string(), z.number()) })
      .describe(
        "Statuspage's component events the update sent webhook subscribers, one fan-out per component " +
          "it moved (their deliveries' subjects are `<update-id>:<component-id>`).",
      ),
  })
  .meta({ id: 'UpdateDeliveryCounts' });
export type UpdateDeliveryCounts = z.infer<typeof UpdateDeliveryCounts>;

/** One state for several fan-out jobs: running while any runs, else pending, dead, done; none without jobs. */
function fanoutState(jobs: readonly { state: string }[]): string {
  for (const state of ['running', 'pending', 'dead']) if (jobs.some((j) => j.state === state)) return state;
  return jobs.length > 0 ? 'done' : 'none';
}

/**
 * Progress of one update's notifications: its fan-out job and its deliveries by channel and
 * state, and the same for the component events it triggered.
 */
export async function updateDeliveryCounts(db: Db, updateId: string): Promise<UpdateDeliveryCounts> {
  const update = await db
    .selectFrom('incident_updates')
    .select('affected_components')
    .where('id', '=', updateId)
    .executeTakeFirst();
  // Named outright rather than by a prefix: an index serves `in`, and collations differ on ':'.
  const componentSubjects = update ? affectedComponentsOf(update).map((c) => `${updateId}:${c.code}`) : [];
  // Deliveries still kept, and the counts of those retention removed (store/retention.ts).
  const counts = async (subjects: string[]) => [
    ...(await db
      .selectFrom('deliveries')
      .select(['channel', 'state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('subject_id', 'in', subjects)
      .groupBy(['channel', 'state'])
      .execute()),
    ...(await db
      .selectFrom('delivery_counts')
      .select(['channel', 'state', (eb) => eb.fn.sum<number>('n').as('n')])
      .where('subject_id', 'in', subjects)
      .groupBy(['channel', 'state'])
      .execute()),
  ];
  const jobs = (subjects: string[]) =>
    db
      .selectFrom('outbox_jobs')
      .select('state')
      .where(
        'dedupe_key',
        'in',
        subjects.map((s) => `fanout:${s}`),
      )
      .execute();
  const [job, rows, componentJobs, componentRows] = await Promise.all([
    jobs([updateId]),
    counts([updateId]),
    componentSubjects.length > 0 ? jobs(componentSubjects) : [],
    componentSubjects.length > 0 ? counts(componentSubjects) : [],
  ]);
  // An id that names nothing is a mistake to report, not an update with nothing sent.
  if (!update && job.length === 0 && rows.length === 0)
    throw new CrierError('update_not_found', `No update ${updateId}.`, { update_id: updateId });
  const result: UpdateDeliveryCounts = {
    update_id: updateId,
    // A fan-out whose job retention removed had finished.
    fanout: job.length === 0 && rows.length > 0 ? 'done' : fanoutState(job),
    total: 0,
    by_state: {},
    by_channel: {},
    component_events: {
      fanout: componentJobs.length === 0 && componentRows.length > 0 ? 'done' : fanoutState(componentJobs),
      total: 0,
      by_state: {},
    },
  };
  for (const r of rows) {
    const n = Number(r.n);
    result.total += n;
    result.by_state[r.state] = (result.by_state[r.state] ?? 0) + n;
    const byState = result.by_channel[r.channel] ?? {};
    byState[r.state] = (byState[r.state] ?? 0) + n;
    result.by_channel[r.channel] = byState;
  }
  const events = result.component_events;
  for (const r of componentRows) {
    const n = Number(r.n);
    events.total += n;
    events.by_state[r.state] = (events.by_state[r.state] ?? 0) + n;
  }
  return result;
}
