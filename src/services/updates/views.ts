/** An update as the draft and approval API shows it: the public fields plus lint, approval and variants. */
import { z } from 'zod';
import { type LintProblem, lintCodes } from '../../domain/lint.ts';
import type { Db } from '../../store/db.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { IncidentUpdateView, updateView } from '../views.ts';
import { pendingOf, Variants, variantsOf } from './rows.ts';

export const LintProblemView = z
  .object({
    code: z.enum(lintCodes),
    message: z.string(),
    match: z.string().optional().describe('The words that triggered it, when there are some.'),
    channel: z.string().optional().describe('The channel kind or variant it is about, when it is about one.'),
  })
  .meta({ id: 'LintProblem' }) satisfies z.ZodType<LintProblem>;

export const DecisionView = z
  .object({
    round: z.number(),
    actor: z.string(),
    as_role: z.string().nullable().describe('The group they decided as: an incident role, or admin.'),
    decision: z.enum(['approve', 'reject']),
    comment: z.string().nullable(),
    at: z.string(),
    basis: z
      .enum(['approver', 'fallback', 'last_resort'])
      .describe(
        "Named by the plan; the plan's fallback, once every approver wrote or changed the draft; or an admin as the last resort.",
      ),
    why: z.string().nullable().describe('Why they could decide, in a sentence.'),
    reason: z.string().nullable().describe("A last resort's written reason."),
  })
  .meta({ id: 'Decision' });
export type DecisionView = z.infer<typeof DecisionView>;

export const DraftView = IncidentUpdateView.extend({
  round: z.number(),
  submitted_at: z.string().nullable(),
  lint: z.array(LintProblemView),
  lint_override: z.object({ reason: z.string(), by: z.string(), at: z.string() }).nullable(),
  published_unapproved: z.boolean(),
  variants: Variants,
  eta: z
    .string()
    .nullable()
    .optional()
    .describe("The ETA publishing sets on the incident (null clears it); absent, it keeps the incident's."),
  decisions: z.array(DecisionView),
}).meta({ id: 'Draft' });
export type DraftView = z.infer<typeof DraftView>;

export function draftView(row: IncidentUpdateRow, decisions: DecisionView[] = []): DraftView {
  const { eta } = pendingOf(row);
  return {
    ...updateView(row),
    round: row.round,
    submitted_at: row.submitted_at,
    lint: row.lint === null ? [] : (JSON.parse(row.lint) as LintProblem[]),
    lint_override:
      row.lint_override === null ? null : (JSON.parse(row.lint_override) as DraftView['lint_override']),
    published_unapproved: row.published_unapproved === 1,
    variants: variantsOf(row.rendered),
    ...(eta !== undefined && { eta }),
    decisions,
  };
}

export async function decisionsOf(db: Db, updateId: string): Promise<DecisionView[]> {
  const rows = await db
    .selectFrom('update_decisions')
    .selectAll()
    .where('update_id', '=', updateId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    round: r.round,
    actor: r.actor,
    as_role: r.as_role,
    decision: r.decision as 'approve' | 'reject',
    comment: r.comment,
    at: r.at,
    basis: r.basis as DecisionView['basis'],
    why: r.why,
    reason: r.reason,
  }));
}

export async function loadDraftView(db: Db, row: IncidentUpdateRow): Promise<DraftView> {
  return draftView(row, await decisionsOf(db, row.id));
}
