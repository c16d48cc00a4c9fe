/**
 * The plan file at start. Whatever was applied last is in force, so the file
 * (CRIER_PLAN) is applied only when it changed since it was last applied:
 *
 * - its text hashes to the hash last recorded for a plan file: nothing
 *   changes, even when a later version came through the API;
 * - it changed, and its plan is the one in force (someone applied this very
 *   file with `crier plan apply`): its hash is recorded on that version and
 *   nothing else changes;
 * - it changed otherwise: it is applied as a new version — it wins, being
 *   the later act — with a log line and an audit entry naming the version it
 *   replaced, and saying so outright when that one came through the API.
 *
 * No file means no plan from disk: whatever was applied stays in force, and
 * with none at all Crier runs on its defaults.
 */

import { findNotYetSupported } from '../../domain/not-yet-supported.ts';
import { PlanError, readPlan, readPlanFile } from '../../plan/load.ts';
import type { Plan } from '../../plan/schema.ts';
import { planJsonOf } from '../../store/json.ts';
import type { PlanVersionRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { actingAs, type Ctx, systemActor } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import {
  latestVersionRow,
  lockPlanVersions,
  type PlanVersionView,
  sha256,
  storeVersion,
  versionView,
} from './current.ts';

export type PlanFileOutcome =
  /** The file is the one last applied; `inForce` may be a later version applied through the API. */
  | { outcome: 'unchanged'; inForce: PlanVersionView; fileVersion: number }
  /** The file changed, but holds the plan in force: its hash is now recorded on that version. */
  | { outcome: 'matched'; inForce: PlanVersionView }
  /** The file changed: applied as `applied`, replacing `replaced` (null on a database with no plan). */
  | { outcome: 'applied'; applied: PlanVersionView; replaced: PlanVersionView | null };

export async function applyPlanFileAtStart(ctx: Ctx): Promise<PlanFileOutcome | null> {
  const path = ctx.config.planPath;
  const source = await readPlanFile(path);
  if (source === null) return null;
  const file = { path, sha256: sha256(source) };
  const asFile = actingAs(ctx, { ...systemActor, id: 'plan-file', source: path });
  const outcome = await withTransaction(asFile, async (tx): Promise<PlanFileOutcome> => {
    await lockPlanVersions(tx);
    const latest = await latestVersionRow(tx.db);
    const lastFile = await tx.db
      .selectFrom('plan_versions')
      .select(['version', 'file_hash'])
      .where('file_hash', 'is not', null)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (latest && lastFile?.file_hash === file.sha256) {
      return { outcome: 'unchanged', inForce: versionView(latest), fileVersion: lastFile.version };
    }
    const plan = planOf(tx, source);
    if (latest && latest.hash === sha256(JSON.stringify(plan))) {
      await tx.db
        .updateTable('plan_versions')
        .set({ file_path: file.path, file_hash: file.sha256 })
        .where('version', '=', latest.version)
        .execute();
      await audit(tx, {
        action: 'plan.file_matched',
        subjectType: 'plan',
        subjectId: String(latest.version),
        after: { version: latest.version, file },
      });
      return { outcome: 'matched', inForce: { ...versionView(latest), file } };
    }
    const note = latest ? replacedNote(path, latest, lastFile?.version) : undefined;
    const applied = await storeVersion(tx, { source, plan, via: 'file', file }, latest, note);
    return { outcome: 'applied', applied, replaced: latest ? versionView(latest) : null };
  });
  logOutcome(ctx, path, outcome);
  return outcome;
}

/** The checked plan, or the file's problems as a PlanError naming the file (Crier does not start). */
function planOf(ctx: Ctx, source: string): Plan {
  const result = readPlan(source, { env: ctx.config.env });
  if (!result.ok) throw new PlanError(ctx.config.planPath, result.problems);
  return result.plan;
}

function describe(v: Pick<PlanVersionRow, 'version' | 'applied_via' | 'applied_by' | 'applied_at'>): string {
  return v.applied_via === 'api'
    ? `version ${v.version}, applied through the API by ${v.applied_by} at ${v.applied_at}`
    : `version ${v.version}, applied from the plan file at ${v.applied_at}`;
}

function replacedNote(path: string, latest: PlanVersionRow, lastFileVersion: number | undefined): string {
  const since =
    lastFileVersion === undefined ? 'was never applied before' : `changed since version ${lastFileVersion}`;
  return `The plan file ${path} ${since}; applied at start, replacing ${describe(latest)}.`;
}

function logOutcome(ctx: Ctx, path: string, o: PlanFileOutcome): void {
  switch (o.outcome) {
    case 'unchanged':
      ctx.log.info(
        {
          file: path,
          version: o.inForce.version,
          file_version: o.fileVersion,
          applied_via: o.inForce.applied_via,
        },
        o.inForce.version === o.fileVersion
          ? 'the plan file is unchanged since it was applied; its version stays in force'
          : `the plan file is unchanged since version ${o.fileVersion}; ${describe(o.inForce)} stays in force`,
      );
      return;
    case 'matched':
      ctx.log.info(
        { file: path, version: o.inForce.version, applied_via: o.inForce.applied_via },
        `the plan file holds the plan in force (${describe(o.inForce)}); nothing applied`,
      );
      return;
    case 'applied': {
      const { applied, replaced } = o;
      const fields = {
        file: path,
        version: applied.version,
        changes: applied.changes.length,
        ...(replaced && { replaced_version: replaced.version, replaced_via: replaced.applied_via }),
      };
      if (replaced === null) ctx.log.info(fields, `applied the plan file as version ${applied.version}`);
      else {
        const message = `the plan file changed: applied it as version ${applied.version}, replacing ${describe(replaced)}`;
        // Replacing a plan someone applied through the API is worth an operator's attention.
        if (replaced.applied_via === 'api') ctx.log.warn(fields, message);
        else ctx.log.info(fields, message);
      }
      return;
    }
  }
}

/**
 * Warns of what the plan in force asks for that Crier does not do yet: a
 * version stored before Crier refused those keys keeps working, and this
 * says, at every start, what in it is not done.
 */
export async function warnOfUnsupportedInForce(ctx: Ctx): Promise<number> {
  const latest = await latestVersionRow(ctx.db);
  if (!latest) return 0;
  const found = findNotYetSupported(planJsonOf(latest));
  for (const f of found) {
    ctx.log.warn(
      { version: latest.version, path: f.path },
      `plan version ${latest.version}: ${f.path}: ${f.message} (Crier does nothing with it)`,
    );
  }
  return found.length;
}
