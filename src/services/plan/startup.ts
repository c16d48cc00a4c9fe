/**
 * The plan file at start: when CRIER_PLAN names a file that exists, it is
 * applied (a new version if it differs from the one in force), so a restart
 * after editing crier.yaml is an apply. No file means no plan from disk:
 * whatever was applied through the API stays in force, and with none at all
 * Crier runs on its defaults (no approval, no lint, no cadence).
 */

import type { PlanProblem } from '../../plan/check.ts';
import { PlanError, readPlanFile } from '../../plan/load.ts';
import { actingAs, type Ctx, systemActor } from '../context.ts';
import { type ApplyResult, applyPlan } from './current.ts';

export async function applyPlanFileAtStart(ctx: Ctx): Promise<ApplyResult | null> {
  const source = await readPlanFile(ctx.config.planPath);
  if (source === null) return null;
  try {
    return await applyPlan(actingAs(ctx, { ...systemActor, id: 'plan-file', source: ctx.config.planPath }), {
      source,
    });
  } catch (err) {
    const problems = (err as { code?: string; details?: { problems?: PlanProblem[] } }).details?.problems;
    if ((err as { code?: string }).code === 'plan_invalid' && problems) {
      throw new PlanError(ctx.config.planPath, problems);
    }
    throw err;
  }
}
