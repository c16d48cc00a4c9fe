import { z } from 'zod';
import { auditValuesOf } from '../store/json.ts';
import type { Ctx } from './context.ts';
import { authorize } from './guard.ts';
import { offsetOf, type Page, Pagination } from './pagination.ts';
import { viewOf } from './view-of.ts';

export const AuditQuery = Pagination.extend({
  subject_type: z.string().max(64).optional(),
  subject_id: z.string().max(64).optional(),
  actor: z.string().max(200).optional(),
  action: z.string().max(100).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditEntryView = z
  .object({
    id: z.number(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    subject_type: z.string(),
    subject_id: z.string().nullable(),
    before: z.unknown().describe('What the subject was before (null when it was created).'),
    after: z.unknown().describe('What the subject became (null when it was deleted).'),
    request_id: z.string().nullable(),
    source: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof AuditEntryView>;

const auditColumns = [
  'id',
  'at',
  'actor',
  'action',
  'subject_type',
  'subject_id',
  'request_id',
  'source',
] as const;

/** The audit log, newest first. */
export async function listAudit(ctx: Ctx, q: AuditQuery): Promise<Page<AuditEntryView>> {
  authorize(ctx, 'audit.read');
  const db = ctx.db;
  let query = db.selectFrom('audit_log');
  if (q.subject_type) query = query.where('subject_type', '=', q.subject_type);
  if (q.subject_id) query = query.where('subject_id', '=', q.subject_id);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.action) query = query.where('action', '=', q.action);
  const total = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  const rows = await query.selectAll().orderBy('id', 'desc').limit(q.per_page).offset(offsetOf(q)).execute();
  return {
    items: rows.map((r) => viewOf(AuditEntryView, auditColumns, r, auditValuesOf(r))),
    total: Number(total?.n ?? 0),
    page: q.page,
    per_page: q.per_page,
  };
}
