/** Reading the alerts received: latest first, filtered by source and status. */
import { z } from 'zod';
import { alertStatuses, ingestSources } from '../../domain/alerts.ts';
import { alertMapsOf } from '../../store/json.ts';
import type { AlertRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { offsetOf, type Page, Pagination } from '../pagination.ts';
import { viewOf } from '../view-of.ts';

export const ListAlertsQuery = Pagination.extend({
  source: z.enum(ingestSources).optional(),
  status: z.enum(alertStatuses).optional(),
});
export type ListAlertsQuery = z.infer<typeof ListAlertsQuery>;

export const AlertView = z
  .object({
    id: z.string(),
    source: z.enum(ingestSources),
    fingerprint: z.string(),
    status: z.enum(alertStatuses),
    title: z.string(),
    severity: z.string().nullable(),
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    link: z.string().nullable(),
    starts_at: z.string().nullable(),
    ends_at: z.string().nullable(),
    first_received_at: z.string(),
    last_received_at: z.string(),
    received_count: z.number().int().describe('Deliveries of this alert, repeats included.'),
  })
  .meta({ id: 'Alert' });
export type AlertView = z.infer<typeof AlertView>;

const alertColumns = [
  'id',
  'source',
  'fingerprint',
  'status',
  'title',
  'severity',
  'link',
  'starts_at',
  'ends_at',
  'first_received_at',
  'last_received_at',
  'received_count',
] as const;

function alertView(row: AlertRow): AlertView {
  return viewOf(AlertView, alertColumns, row, alertMapsOf(row));
}

export async function listAlerts(ctx: Ctx, q: ListAlertsQuery): Promise<Page<AlertView>> {
  authorize(ctx, 'read');
  let query = ctx.db.selectFrom('alerts');
  if (q.source) query = query.where('source', '=', q.source);
  if (q.status) query = query.where('status', '=', q.status);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await query
    .selectAll()
    .orderBy('last_received_at', 'desc')
    .orderBy('id')
    .limit(q.per_page)
    .offset(offsetOf(q))
    .execute();
  return { items: rows.map(alertView), total: Number(total?.n ?? 0), page: q.page, per_page: q.per_page };
}
