/**
 * The plan in force: the latest applied version, stored in the database so
 * every process agrees on it. Each apply stores who, when, how (the plan
 * file at start, or the API), the YAML and the diff from the previous
 * version. Whatever was applied last is in force: see startup.ts for how the
 * plan file at start keeps to that.
 */

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { diffPlans } from '../../plan/diff.ts';
import { readPlan } from '../../plan/load.ts';
import { Plan } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';
import { PlanChange, planDiffOf, planJsonOf } from '../../store/json.ts';
import { lockNamed } from '../../store/locks.ts';
import { prepared } from '../../store/prepared.ts';
import type { PlanVersionRow, PlanVia } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { scheduleGameDays } from '../drills/game-day-plan.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { viewOf } from '../view-of.ts';
import { runbookComponentProblems } from './runbook-components.ts';

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
  const plan = Plan.parse(planJsonOf(row));
  if (cache.size > 20) cache.clear();
  cache.set(row.hash, plan);
  return plan;
}

// Asked every 2 seconds by every process: compiled once (store/prepared.ts).
const latestVersionQuery = prepared((db: Db) =>
  db.selectFrom('plan_versions').select((eb) => eb.fn.max('version').as('version')),
);

/** The number of the latest applied plan version, 0 when none was applied: cheap to ask often. */
export async function latestPlanVersion(db: Db): Promise<number> {
  const { rows } = await latestVersionQuery(db, {});
  return Number(rows[0]?.version ?? 0);
}

export const ApplyPlanInput = z.strictObject({
  /** The YAML text of crier.yaml. */
  source: z.string().min(1).max(1_000_000),
});
export type ApplyPlanInput = z.input<typeof ApplyPlanInput>;

const PlanFileRef = z.object({
  path: z.string().nullable(),
  sha256: z.string().describe("SHA-256 of the file's text."),
});
type PlanFileRef = z.infer<typeof PlanFileRef>;

export const PlanVersionView = z
  .object({
    version: z.number(),
    applied_at: z.string(),
    applied_by: z
      .string()
      .describe('Who: the API token (`token:<name>`), or `plan-file` for the file at start.'),
    applied_via: z
      .enum(['file', 'api'] satisfies PlanVia[])
      .describe('`file`: the plan file (CRIER_PLAN) at start; `api`: `PUT /plan` (and `crier plan apply`).'),
    file: PlanFileRef.nullable().describe(
      'The plan file this version came from; for a version applied through the API, the plan file ' +
        'found at a later start to hold the same plan (so it was not applied again), if any.',
    ),
    changes: z.array(PlanChange).describe('What this version changed from the one before it.'),
  })
  .meta({ id: 'PlanVersion' });
export type PlanVersionView = z.infer<typeof PlanVersionView>;

export const ApplyResult = PlanVersionView.extend({
  unchanged: z.boolean().describe('True when the plan equals the one in force: no new version was stored.'),
}).meta({ id: 'PlanApplied' });
export type ApplyResult = z.infer<typeof ApplyResult>;

/** Hashes as stored: SHA-256, hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Applies a plan through the API: checks it whole (secrets against the
 * server's environment), and stores it as a new version unless it equals the
 * one in force. `note` says where the text came from (an earlier version).
 */
export async function applyPlan(ctx: Ctx, raw: ApplyPlanInput, note?: string): Promise<ApplyResult> {
  authorize(ctx, 'plan.apply');
  const input = ApplyPlanInput.parse(raw);
  const plan = checkedPlan(ctx, input.source);
  const missing = await runbookComponentProblems(ctx.db, plan);
  if (missing.length > 0) {
    throw new CrierError('plan_invalid', `The plan has ${missing.length} problem(s).`, { problems: missing });
  }
  return withTransaction(ctx, async (tx) => {
    await lockPlanVersions(tx);
    const latest = await latestVersionRow(tx.db);
    if (latest && latest.hash === sha256(JSON.stringify(plan))) {
      return { ...versionView(latest), unchanged: true };
    }
    const stored = await storeVersion(
      tx,
      { source: input.source, plan, via: 'api', file: null },
      latest,
      note,
    );
    return { ...stored, unchanged: false };
  });
}

/** The plan in `source`, checked whole; `plan_invalid` with every problem otherwise. */
function checkedPlan(ctx: Ctx, source: string): Plan {
  const result = readPlan(source, { env: ctx.config.env });
  if (!result.ok) {
    throw new CrierError('plan_invalid', `The plan has ${result.problems.length} problem(s).`, {
      problems: result.problems,
    });
  }
  return result.plan;
}

/**
 * Applies one at a time. SQLite transactions already take the write lock at
 * BEGIN; on PostgreSQL two nodes starting with the same new plan file would
 * each see it as new and store it twice without this lock.
 */
export async function lockPlanVersions(tx: Ctx): Promise<void> {
  await lockNamed(tx.db, 'crier.plan_versions');
}

export async function latestVersionRow(db: Db): Promise<PlanVersionRow | undefined> {
  return db.selectFrom('plan_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
}

export interface NewVersion {
  source: string;
  plan: Plan;
  via: PlanVia;
  file: PlanFileRef | null;
}

/**
 * Stores `next` as a new version after `latest` (the version in force), with
 * its audit entry (which names the version it replaced, and how that one was
 * applied), and tells every process once committed.
 */
export async function storeVersion(
  tx: Ctx,
  next: NewVersion,
  latest: PlanVersionRow | undefined,
  note?: string,
): Promise<PlanVersionView> {
  const json = JSON.stringify(next.plan);
  const changes = diffPlans(latest ? planJsonOf(latest) : null, next.plan);
  const now = tx.clock.now().toISOString();
  await scheduleGameDays(tx, next.plan);
  const inserted = await tx.db
    .insertInto('plan_versions')
    .values({
      applied_at: now,
      applied_by: tx.actor.id,
      applied_via: next.via,
      file_path: next.file?.path ?? null,
      file_hash: next.file?.sha256 ?? null,
      source: next.source,
      plan: json,
      diff: JSON.stringify(changes),
      hash: sha256(json),
    })
    .returning('version')
    .executeTakeFirstOrThrow();
  await audit(tx, {
    action: 'plan.apply',
    subjectType: 'plan',
    subjectId: String(inserted.version),
    before: latest
      ? { version: latest.version, applied_via: latest.applied_via, applied_by: latest.applied_by }
      : null,
    after: {
      version: inserted.version,
      applied_via: next.via,
      ...(next.file && { file: next.file }),
      changes: changes.map((c) => `${c.kind} ${c.path}`),
      ...(note && { note }),
    },
  });
  onCommit(tx, () => tx.changes.publish({ kind: 'plan', id: String(inserted.version) }));
  return {
    version: inserted.version,
    applied_at: now,
    applied_by: tx.actor.id,
    applied_via: next.via,
    file: next.file,
    changes,
  };
}

export function versionView(
  row: Pick<
    PlanVersionRow,
    'version' | 'applied_at' | 'applied_by' | 'applied_via' | 'file_path' | 'file_hash' | 'diff'
  >,
): PlanVersionView {
  return viewOf(PlanVersionView, ['version', 'applied_at', 'applied_by', 'applied_via'], row, {
    file: row.file_hash === null ? null : { path: row.file_path, sha256: row.file_hash },
    changes: planDiffOf(row),
  });
}

export async function listPlanVersions(db: Db): Promise<PlanVersionView[]> {
  const rows = await db
    .selectFrom('plan_versions')
    .select(['version', 'applied_at', 'applied_by', 'applied_via', 'file_path', 'file_hash', 'diff'])
    .orderBy('version', 'desc')
    .limit(200)
    .execute();
  return rows.map(versionView);
}

export interface CurrentPlanView extends PlanVersionView {
  plan: Plan;
  source: string;
}

/**
 * `GET /plan` as the API answers it: the version in force, or nulls before any. Who may not
 * apply a plan gets no `source`, each channel's name, type and fallback only, and change paths.
 */
export const CurrentPlanResponse = PlanVersionView.partial()
  .extend({
    version: z.number().nullable(),
    plan: z
      .record(z.string(), z.unknown())
      .nullable()
      .describe('The plan as parsed (docs/plan.md; its JSON Schema is at GET /plan/schema).'),
    source: z.string().optional().describe('The YAML text applied, to those who may apply a plan.'),
  })
  .meta({ id: 'CurrentPlan' });

export async function getCurrentPlanView(db: Db): Promise<CurrentPlanView | null> {
  const row = await latestVersionRow(db);
  if (!row) return null;
  return { ...versionView(row), plan: Plan.parse(planJsonOf(row)), source: row.source };
}
