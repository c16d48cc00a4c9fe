/** An update as the draft and approval API shows it: the public fields plus lint, approval and variants. */

import { z } from 'zod';
import type { Db } from '../../store/db.ts';
import {
  LintOverrideRecord,
  lintOf,
  lintOverrideOf,
  pendingOf,
  StoredLintProblem,
} from '../../store/json.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { IncidentUpdateView, updateView } from '../views.ts';
import { Variants, variantsOf } from './rows.ts';

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
  lint: z.array(StoredLintProblem),
  lint_override: LintOverrideRecord.nullable(),
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
    lint: lintOf(row),
    lint_override: lintOverrideOf(row),
    published_unapproved: row.published_unapproved === 1,
    variants: variantsOf(row),
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
