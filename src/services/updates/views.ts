/** An update as the draft and approval API shows it: the public fields plus lint, approval and variants. */

import { z } from 'zod';
import { decisions } from '../../domain/approval.ts';
import { approvalBases } from '../../domain/approval-eligibility.ts';
import type { Db } from '../../store/db.ts';
import {
  LintOverrideRecord,
  lintOf,
  lintOverrideOf,
  pendingOf,
  StoredLintProblem,
  translationsOf,
} from '../../store/json.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { viewOf } from '../view-of.ts';
import { IncidentUpdateView, updateView } from '../views.ts';
import { Translations, Variants, variantsOf } from './rows.ts';

export const DecisionView = z
  .object({
    round: z.number(),
    actor: z.string(),
    as_role: z.string().nullable().describe('The group they decided as: an incident role, or admin.'),
    decision: z.enum(decisions),
    comment: z.string().nullable(),
    at: z.string(),
    basis: z
      .enum(approvalBases)
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
  translations: Translations,
  eta: z
    .string()
    .nullable()
    .optional()
    .describe("The ETA publishing sets on the incident (null clears it); absent, it keeps the incident's."),
  decisions: z.array(DecisionView),
}).meta({ id: 'Draft' });
export type DraftView = z.infer<typeof DraftView>;

export function draftView(row: IncidentUpdateRow, decided: DecisionView[] = []): DraftView {
  return viewOf(DraftView, ['round', 'submitted_at'], row, {
    ...updateView(row),
    lint: lintOf(row),
    lint_override: lintOverrideOf(row),
    published_unapproved: row.published_unapproved === 1,
    variants: variantsOf(row),
    translations: translationsOf(row),
    eta: pendingOf(row).eta,
    decisions: decided,
  });
}

const decisionColumns = DecisionView.keyof().options;

export async function decisionsOf(db: Db, updateId: string): Promise<DecisionView[]> {
  const rows = await db
    .selectFrom('update_decisions')
    .selectAll()
    .where('update_id', '=', updateId)
    .orderBy('id')
    .execute();
  return rows.map((r) => viewOf(DecisionView, decisionColumns, r, {}));
}

export async function loadDraftView(db: Db, row: IncidentUpdateRow): Promise<DraftView> {
  return draftView(row, await decisionsOf(db, row.id));
}
