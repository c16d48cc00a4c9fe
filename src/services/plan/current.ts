/**
 * The plan in force: the latest applied version, stored in the database so
 * every process agrees on it. Each apply stores who, when, the YAML and the
 * diff from the previous version.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { diffPlans, type PlanChange } from '../../plan/diff.ts';
import { readPlan } from '../../plan/load.ts';
import { Plan } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';

const cache = new Map<string, Plan>();

/** The plan in force, or null when none was ever applied (Crier then runs on defaults). */
export async function currentPlan(db: Db): Promise<Plan | null> {
  const row = await db
    .selectFrom('plan_versions')
    .select(['hash', 'plan'])
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  const cached = cache.get(row.hash);
  if (cached) return cached;
  // Read back through the schema: the stored JSON is parsed again, never trusted as is.
  const plan = Plan.parse(JSON.parse(row.plan));
  if (cache.size > 20) cache.clear();
  cache.set(row.hash, plan);
  return plan;
}

/** The number of the latest applied plan version, 0 when none was applied: cheap to ask often. */
export async function latestPlanVersion(db: Db): Promise<number> {
  const row = await db
    .selectFrom('plan_versions')
    .select((eb) => eb.fn.max('version').as('version'))
    .executeTakeFirst();
  return Number(row?.version ?? 0);
}

export const ApplyPlanInput = z.object({
  /** The YAML text of crier.yaml. */
  source: z.string().min(1).max(1_000_000),
});
export type ApplyPlanInput = z.input<typeof ApplyPlanInput>;

export interface PlanVersionView {
  version: number;
  applied_at: string;
  applied_by: string;
  changes: PlanChange[];
}

export interface ApplyResult extends PlanVersionView {
  unchanged: boolean;
}

/**
 * Applies a plan: checks it whole (secrets against the server's environment),
 * and stores it as a new version unless it equals the one in force.
 */
export async function applyPlan(ctx: Ctx, raw: ApplyPlanInput): Promise<ApplyResult> {
  authorize(ctx, 'plan.apply');
  const input = ApplyPlanInput.parse(raw);
  const result = readPlan(input.source, { env: ctx.config.env });
  if (!result.ok) {
    throw new CrierError('plan_invalid', `The plan has ${result.problems.length} problem(s).`, {
      problems: result.problems,
    });
  }
  const json = JSON.stringify(result.plan);
  const hash = createHash('sha256').update(json).digest('hex');
  return withTransaction(ctx, async (tx) => {
    const latest = await tx.db
      .selectFrom('plan_versions')
      .selectAll()
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (latest && latest.hash === hash) {
      return { ...versionView(latest), unchanged: true };
    }
    const changes = diffPlans(latest ? JSON.parse(latest.plan) : null, result.plan);
    const now = tx.clock.now().toISOString();
    const inserted = await tx.db
      .insertInto('plan_versions')
      .values({
        applied_at: now,
        applied_by: tx.actor.id,
        source: input.source,
        plan: json,
        diff: JSON.stringify(changes),
        hash,
      })
      .returning('version')
      .executeTakeFirstOrThrow();
    await audit(tx, {
      action: 'plan.apply',
      subjectType: 'plan',
      subjectId: String(inserted.version),
      before: latest ? { version: latest.version } : null,
      after: { version: inserted.version, changes: changes.map((c) => `${c.kind} ${c.path}`) },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'plan', id: String(inserted.version) }));
    return { version: inserted.version, applied_at: now, applied_by: tx.actor.id, changes, unchanged: false };
  });
}

function versionView(row: {
  version: number;
  applied_at: string;
  applied_by: string;
  diff: string;
}): PlanVersionView {
  return {
    version: row.version,
    applied_at: row.applied_at,
    applied_by: row.applied_by,
    changes: JSON.parse(row.diff) as PlanChange[],
  };
}

export async function listPlanVersions(db: Db): Promise<PlanVersionView[]> {
  const rows = await db
    .selectFrom('plan_versions')
    .select(['version', 'applied_at', 'applied_by', 'diff'])
    .orderBy('version', 'desc')
    .limit(200)
    .execute();
  return rows.map(versionView);
}

export interface CurrentPlanView extends PlanVersionView {
  plan: Plan;
  source: string;
}

export async function getCurrentPlanView(db: Db): Promise<CurrentPlanView | null> {
  const row = await db
    .selectFrom('plan_versions')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return { ...versionView(row), plan: Plan.parse(JSON.parse(row.plan)), source: row.source };
}
