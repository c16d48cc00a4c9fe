/** An update as the draft and approval API shows it: the public fields plus lint, approval and variants. */
import type { LintProblem } from '../../domain/lint.ts';
import type { Db } from '../../store/db.ts';
import type { IncidentUpdateRow } from '../../store/schema.ts';
import { type IncidentUpdateView, updateView } from '../views.ts';
import { pendingOf, type Variants, variantsOf } from './rows.ts';

export interface DecisionView {
  round: number;
  actor: string;
  as_role: string | null;
  decision: 'approve' | 'reject';
  comment: string | null;
  at: string;
}

export interface DraftView extends IncidentUpdateView {
  round: number;
  submitted_at: string | null;
  lint: LintProblem[];
  lint_override: { reason: string; by: string; at: string } | null;
  published_unapproved: boolean;
  variants: Variants;
  /** The ETA publishing sets on the incident (null clears it); absent, it keeps the incident's. */
  eta?: string | null;
  decisions: DecisionView[];
}

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
  }));
}

export async function loadDraftView(db: Db, row: IncidentUpdateRow): Promise<DraftView> {
  return draftView(row, await decisionsOf(db, row.id));
}
