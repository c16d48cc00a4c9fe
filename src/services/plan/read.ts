/**
 * Reading and checking the plan, as the reader may: whoever may apply a plan
 * (`plan.apply`) sees it whole; everyone else who may read sees each
 * channel's name, type and fallback (channel settings may hold secrets
 * written in clear), the paths that changed without their values, and not
 * the source file. Decided here, so every way in reads the same.
 */
import { can } from '../../domain/permissions.ts';
import { describeChannels } from '../../plan/channels.ts';
import type { PlanChange } from '../../plan/diff.ts';
import { readPlan } from '../../plan/load.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import {
  type ApplyPlanInput,
  getCurrentPlanView,
  listPlanVersions,
  type PlanVersionView,
} from './current.ts';

/** A change's path and kind without its values, which may include channel secrets. */
function pathsOnly(changes: readonly PlanChange[]): PlanChange[] {
  return changes.map(({ path, kind }) => ({ path, kind }));
}

/** The plan in force (`GET /plan`), or nulls before any. */
export async function readCurrentPlan(ctx: Ctx) {
  authorize(ctx, 'read');
  const current = await getCurrentPlanView(ctx.db);
  if (!current) return { version: null, plan: null };
  if (can(ctx.actor.role, 'plan.apply')) return current;
  const { source: _source, ...rest } = current;
  return {
    ...rest,
    changes: pathsOnly(current.changes),
    plan: { ...current.plan, channels: describeChannels(current.plan.channels) },
  };
}

/** Every version applied, newest first. */
export async function readPlanVersions(ctx: Ctx): Promise<PlanVersionView[]> {
  authorize(ctx, 'read');
  const versions = await listPlanVersions(ctx.db);
  if (can(ctx.actor.role, 'plan.apply')) return versions;
  return versions.map((v) => ({ ...v, changes: pathsOnly(v.changes) }));
}

/** A plan checked without applying it: for those who may apply one (its problems can quote settings). */
export function checkPlan(ctx: Ctx, input: ApplyPlanInput) {
  authorize(ctx, 'plan.apply');
  const result = readPlan(input.source, { env: ctx.config.env });
  return result.ok
    ? { ok: true, problems: [], warnings: result.warnings }
    : { ok: false, problems: result.problems, warnings: [] };
}
