/**
 * Previews of words not stored yet: an incident's first update while the
 * declare form is filled in, and a new draft while its form is. Each runs
 * the very verb that would store it (declare, create a draft), previews the
 * draft it made as the war room's composer does, and rolls the whole
 * transaction back: the scenario's template, the roles, the cadence and
 * lint are exactly what the real action would give, and nothing is kept
 * (no row, audit entry, job or notification; after-commit callbacks never
 * run). Copying those verbs into a preview-only path would let the two
 * drift apart.
 */
import type { Ctx } from '../context.ts';
import { type DeclareIncidentInput, declareIncident } from '../incidents/declare.ts';
import { withTransaction } from '../transaction.ts';
import { type CreateDraftInput, createDraft } from './create.ts';
import { previewUpdate, type UpdatePreview } from './preview.ts';

class RolledBack {
  readonly value: UpdatePreview;
  constructor(value: UpdatePreview) {
    this.value = value;
  }
}

/** Runs `fn` in a transaction of its own that is always rolled back, and returns its preview. */
async function dryRun(ctx: Ctx, fn: (tx: Ctx) => Promise<UpdatePreview>): Promise<UpdatePreview> {
  if (ctx.db.isTransaction) throw new Error('a dry run needs a transaction of its own to roll back');
  try {
    await withTransaction(ctx, async (tx) => {
      throw new RolledBack(await fn(tx));
    });
  } catch (err) {
    if (err instanceof RolledBack) return err.value;
    throw err;
  }
  throw new Error('a dry run committed');
}

/** The first update of an incident as declaring it now would write it. */
export function previewDeclaration(ctx: Ctx, input: DeclareIncidentInput): Promise<UpdatePreview> {
  return dryRun(ctx, async (tx) => {
    const declared = await declareIncident(tx, input);
    const first = declared.incident_updates[0];
    if (first === undefined) throw new Error('a declaration without its first update');
    return previewUpdate(tx, declared.id, first.id);
  });
}

/** A new draft of an incident's update as creating it now would write it. */
export function previewNewDraft(
  ctx: Ctx,
  incidentId: string,
  input: CreateDraftInput,
): Promise<UpdatePreview> {
  return dryRun(ctx, async (tx) => {
    const draft = await createDraft(tx, incidentId, input);
    return previewUpdate(tx, incidentId, draft.id);
  });
}
