/** Publishing an approved update, or a draft that needs no approval. */
import { z } from 'zod';
import { needsApproval } from '../../domain/approval.ts';
import { CrierError } from '../../domain/errors.ts';
import { assertUpdateTransition } from '../../domain/updates.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { verbSpan } from '../traced.ts';
import { withTransaction } from '../transaction.ts';
import { LintOverride, lintRow, requireLintPass, storedOverride, withVerdict } from './gate.ts';
import { publishRow } from './pipeline.ts';
import { lockUpdate } from './rows.ts';
import { type DraftView, decisionsOf, loadDraftView } from './views.ts';

export const PublishInput = z.strictObject({ lint_override: LintOverride.optional() });
export type PublishInput = z.input<typeof PublishInput>;

export async function publishUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: PublishInput = {},
): Promise<DraftView> {
  authorize(ctx, 'update.publish');
  const input = PublishInput.parse(raw);
  return verbSpan(ctx, 'publishUpdate', () =>
    withTransaction(ctx, async (tx) => {
      const { incident, row } = await lockUpdate(tx, incidentId, updateId);
      const policy = approvalPolicy(await currentPlan(tx.db), incident.severity);
      if (row.state !== 'approved' && needsApproval(policy, row.audience)) {
        throw new CrierError(
          'approval_required',
          `The plan requires approval for ${row.audience} updates at ${incident.severity}; this one is ${row.state}.`,
          { state: row.state, policy, decisions: await decisionsOf(tx.db, row.id) },
        );
      }
      const published = await publishChecked(tx, incident, row, { lintOverride: input.lint_override });
      return loadDraftView(tx.db, published);
    }),
  );
}

export interface CheckedPublish {
  /** Given now; otherwise the one recorded with the row, if any. */
  lintOverride?: LintOverride | undefined;
  /** A new row (a direct post) rather than a stored draft. */
  insert?: boolean;
  /** The audit action; by default resolving or updating the incident, as the status says. */
  action?: string;
}

/**
 * Publishes through the pipeline once lint passes, or a comms lead overrides
 * it. Callers authorize: publishing a draft that needs no approval is what
 * posting an update does.
 */
export async function publishChecked(
  tx: Ctx,
  incident: IncidentRow,
  row: IncidentUpdateRow,
  options: CheckedPublish = {},
): Promise<IncidentUpdateRow> {
  assertUpdateTransition(row.state, 'published');
  const problems = await lintRow(tx, await currentPlan(tx.db), row);
  const override = options.lintOverride ?? storedOverride(row);
  const verdict = await requireLintPass(tx, incident.id, problems, override);
  return publishRow(tx, incident, withVerdict(row, verdict), {
    action: options.action ?? (row.status === 'resolved' ? 'incident.resolve' : 'incident.update'),
    insert: options.insert ?? false,
  });
}
