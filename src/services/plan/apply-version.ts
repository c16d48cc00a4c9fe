/**
 * Applying an earlier plan version again (a roll-back from the console):
 * its stored YAML goes through the same checks and the same store as
 * `PUT /plan`, as the person asking, so a version that no longer passes
 * (a secret unset since, a component gone) is refused with its findings.
 * The audit entry says which version's text it was.
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { type ApplyResult, applyPlan } from './current.ts';

const PlanVersionNumber = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export async function applyPlanVersion(ctx: Ctx, rawVersion: unknown): Promise<ApplyResult> {
  authorize(ctx, 'plan.apply');
  const version = PlanVersionNumber.parse(rawVersion);
  const row = await ctx.db
    .selectFrom('plan_versions')
    .select(['version', 'source'])
    .where('version', '=', version)
    .executeTakeFirst();
  if (!row) throw new CrierError('not_found', `There is no plan version ${version}.`);
  return applyPlan(ctx, { source: row.source }, `the text of version ${row.version}`);
}
