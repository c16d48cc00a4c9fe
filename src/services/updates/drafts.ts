/**
 * Drafts of external updates: started from the scenario's template (or
 * written), edited, submitted for approval, approved or rejected with a
 * comment, and published. The author never approves their own draft; every
 * decision is audited; any edit sends a draft back to `draft`, so an
 * approval always covers the exact words that go out.
 */
import { z } from 'zod';
import { approvalOutcome, assertNotAuthor, needsApproval } from '../../domain/approval.ts';
import { CrierError } from '../../domain/errors.ts';
import { assertIncidentTransition, type IncidentStatus, incidentStatuses } from '../../domain/incidents.ts';
import { assertUpdateTransition, type UpdateState } from '../../domain/updates.ts';
import { approvalPolicy } from '../../plan/policy.ts';
import type { Plan } from '../../plan/schema.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import { actingAs, type Ctx, systemActor } from '../context.ts';
import { authorize } from '../guard.ts';
import { newUpdateRow } from '../incidents/append-update.ts';
import { requireUpdate } from '../incidents/edit-update.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { lockIncident } from '../incidents/queries.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { enterApproval, requireApprover } from './approval-core.ts';
import { assertAudience, LintOverride, lintUpdate, requireLintPass, Variants, variantsOf } from './gate.ts';
import { type PendingChanges, pendingOf, publishRow } from './publish-core.ts';
import { renderForIncident } from './render.ts';
import { type DraftView, decisionsOf, draftView, loadDraftView } from './views.ts';

const TemplateVariablesInput = z
  .object({ impact: z.string().trim().min(1).max(1000), workaround: z.string().trim().min(1).max(1000) })
  .partial();

export const CreateDraftInput = z.object({
  status: z.enum(incidentStatuses).optional(),
  audience: IncidentFields.audience,
  /** Leave out to start from the scenario's template for the status. */
  body: IncidentFields.body.optional(),
  variants: Variants.optional(),
  variables: TemplateVariablesInput.default({}),
  impact_override: IncidentFields.impact_override.optional(),
  component_ids: IncidentFields.component_ids.default([]),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
});
export type CreateDraftInput = z.input<typeof CreateDraftInput>;

export async function createDraft(ctx: Ctx, incidentId: string, raw: CreateDraftInput): Promise<DraftView> {
  authorize(ctx, 'incident.update');
  const input = CreateDraftInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx.db, incidentId);
    const status = input.status ?? (incident.status as IncidentStatus);
    assertIncidentTransition(incident.status as IncidentStatus, status);
    const plan = await currentPlan(tx.db);
    assertAudience(plan, incident, input.audience);
    const rendered =
      input.body === undefined
        ? await renderForIncident(tx, plan, incident, {
            status,
            impact: input.variables.impact,
            workaround: input.variables.workaround,
            componentIds: [...input.component_ids, ...Object.keys(input.components)],
          })
        : null;
    const body = input.body ?? rendered?.body ?? '';
    const variants = { ...(rendered?.variants ?? {}), ...(input.variants ?? {}) };
    const row = newUpdateRow(tx, incident, {
      status,
      body,
      audience: input.audience,
      deliverNotifications: input.deliver_notifications,
      components: input.components,
      componentIds: input.component_ids,
      ...(input.impact_override !== undefined && { impactOverride: input.impact_override }),
      variants,
      action: 'incident_update.draft',
    });
    const problems = await lintUpdate(tx, plan, incident.id, status, input.audience, body, variants);
    const draft = { ...row, lint: JSON.stringify(problems) };
    await tx.db.insertInto('incident_updates').values(draft).execute();
    await audit(tx, {
      action: 'incident_update.draft',
      subjectType: 'incident_update',
      subjectId: draft.id,
      after: {
        incident_id: incident.id,
        status,
        audience: draft.audience,
        body,
        from_template: rendered !== null,
      },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incident.id }));
    return draftView(draft);
  });
}

export const EditDraftInput = z
  .object({
    body: IncidentFields.body,
    variants: Variants,
    status: z.enum(incidentStatuses),
    audience: IncidentFields.audience,
    components: IncidentFields.components,
    component_ids: IncidentFields.component_ids,
    deliver_notifications: IncidentFields.deliver_notifications,
  })
  .partial();
export type EditDraftInput = z.input<typeof EditDraftInput>;

/** Objects compared by value, whatever order their keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** What an edit can change in what goes out. */
interface DraftContent {
  body: string;
  variants: Variants;
  status: string;
  audience: string;
  pending: PendingChanges;
}

async function lockDraft(tx: Ctx, incidentId: string, updateId: string) {
  const incident = await lockIncident(tx.db, incidentId);
  const row = await requireUpdate(tx.db, incidentId, updateId);
  return { incident, row };
}

/** Edits a draft (in any state before publication); it goes back to `draft`. */
export async function editDraft(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: EditDraftInput,
): Promise<DraftView> {
  authorize(ctx, 'incident.update');
  const input = EditDraftInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockDraft(tx, incidentId, updateId);
    if (row.state === 'published') {
      throw new CrierError(
        'transition_not_allowed',
        'A published update is corrected with PATCH on the update itself.',
        {
          state: row.state,
        },
      );
    }
    assertUpdateTransition(row.state as UpdateState, 'draft');
    const plan = await currentPlan(tx.db);
    const status = input.status ?? (row.status as IncidentStatus);
    assertIncidentTransition(incident.status as IncidentStatus, status);
    const audience = input.audience ?? row.audience;
    assertAudience(plan, incident, audience);
    const before = pendingOf(row);
    const pending: PendingChanges = {
      ...before,
      ...(input.components !== undefined && { components: input.components }),
      ...(input.component_ids !== undefined && { component_ids: input.component_ids }),
    };
    const body = input.body ?? row.body;
    const variants = input.variants ?? variantsOf(row.rendered);
    const now = tx.clock.now().toISOString();
    const problems = await lintUpdate(tx, plan, incident.id, status, audience, body, variants);
    const patch = {
      body,
      status,
      audience,
      state: 'draft',
      pending: JSON.stringify(pending),
      rendered: Object.keys(variants).length > 0 ? JSON.stringify(variants) : null,
      deliver_notifications:
        input.deliver_notifications === undefined
          ? row.deliver_notifications
          : input.deliver_notifications
            ? 1
            : 0,
      lint: JSON.stringify(problems),
      lint_override: null,
      updated_at: now,
    };
    await tx.db.updateTable('incident_updates').set(patch).where('id', '=', row.id).execute();
    const was: DraftContent = {
      body: row.body,
      variants: variantsOf(row.rendered),
      status: row.status,
      audience: row.audience,
      pending: before,
    };
    const is: DraftContent = { body, variants, status, audience, pending };
    // Any change to what goes out makes the editor an author, whom the self-approval rule then covers.
    if (canonical(was) !== canonical(is)) {
      await tx.db
        .insertInto('update_edits')
        .values({ update_id: row.id, old_body: row.body, new_body: body, actor: tx.actor.id, at: now })
        .execute();
    }
    await audit(tx, {
      action: 'incident_update.edit_draft',
      subjectType: 'incident_update',
      subjectId: row.id,
      before: { state: row.state, ...was },
      after: { state: 'draft', ...is },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    return loadDraftView(tx.db, { ...row, ...patch });
  });
}

export const SubmitInput = z.strictObject({ lint_override: LintOverride.optional() });
export type SubmitInput = z.input<typeof SubmitInput>;

/**
 * Submits a draft: lint must pass (or be overridden by a comms lead). Where
 * the plan asks for approval it waits in `pending_approval`; otherwise it
 * is published now.
 */
export async function submitDraft(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: SubmitInput = {},
): Promise<DraftView> {
  authorize(ctx, 'incident.update');
  const input = SubmitInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockDraft(tx, incidentId, updateId);
    const plan = await currentPlan(tx.db);
    const policy = approvalPolicy(plan, incident.severity);
    if (!needsApproval(policy, row.audience)) return publishChecked(tx, incident, row, input.lint_override);
    assertUpdateTransition(row.state as UpdateState, 'pending_approval');
    const problems = await lintRow(tx, plan, incident, row);
    const verdict = await requireLintPass(tx, incident.id, problems, input.lint_override);
    const next = await enterApproval(tx, incident, row, plan, policy, verdict, { insert: false });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    return loadDraftView(tx.db, next);
  });
}

/** Lints a stored update as it stands: its status, audience, body and variants. */
function lintRow(tx: Ctx, plan: Plan | null, incident: IncidentRow, row: IncidentUpdateRow) {
  return lintUpdate(
    tx,
    plan,
    incident.id,
    row.status as IncidentStatus,
    row.audience,
    row.body,
    variantsOf(row.rendered),
  );
}

async function publishChecked(
  tx: Ctx,
  incident: IncidentRow,
  row: IncidentUpdateRow,
  override: LintOverride | undefined,
): Promise<DraftView> {
  // Callers authorize: publishing a draft that needs no approval is what posting an update does.
  assertUpdateTransition(row.state as UpdateState, 'published');
  const plan = await currentPlan(tx.db);
  const problems = await lintRow(tx, plan, incident, row);
  const stored = row.lint_override === null ? undefined : (JSON.parse(row.lint_override) as LintOverride);
  const verdict = await requireLintPass(tx, incident.id, problems, override ?? stored);
  const checked = {
    ...row,
    lint: JSON.stringify(verdict.problems),
    lint_override: verdict.override === null ? row.lint_override : JSON.stringify(verdict.override),
  };
  await tx.db
    .updateTable('incident_updates')
    .set({ lint: checked.lint, lint_override: checked.lint_override })
    .where('id', '=', row.id)
    .execute();
  const published = await publishRow(tx, incident, checked, {
    action: row.status === 'resolved' ? 'incident.resolve' : 'incident.update',
    insert: false,
  });
  return loadDraftView(tx.db, published);
}

export const PublishInput = z.strictObject({ lint_override: LintOverride.optional() });
export type PublishInput = z.input<typeof PublishInput>;

/** Publishes an approved update, or a draft that needs no approval. */
export async function publishUpdate(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: PublishInput = {},
): Promise<DraftView> {
  authorize(ctx, 'update.publish');
  const input = PublishInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockDraft(tx, incidentId, updateId);
    const plan = await currentPlan(tx.db);
    const policy = approvalPolicy(plan, incident.severity);
    if (row.state !== 'approved' && needsApproval(policy, row.audience)) {
      throw new CrierError(
        'approval_required',
        `The plan requires approval for ${row.audience} updates at ${incident.severity}; this one is ${row.state}.`,
        { state: row.state, policy, decisions: await decisionsOf(tx.db, row.id) },
      );
    }
    return publishChecked(tx, incident, row, input.lint_override);
  });
}

export const ApproveInput = z.strictObject({
  comment: z.string().trim().min(1).max(2000).optional(),
  /** Publish as soon as the approvals are complete. Default true. */
  publish: z.boolean().default(true),
});
export type ApproveInput = z.input<typeof ApproveInput>;

export const RejectInput = z.object({
  comment: z.string().trim().min(1).max(2000).describe('What to change; the author reads it.'),
});
export type RejectInput = z.input<typeof RejectInput>;

async function decide(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  decision: 'approve' | 'reject',
  comment: string | null,
  publish: boolean,
): Promise<DraftView> {
  authorize(ctx, 'update.approve');
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockDraft(tx, incidentId, updateId);
    if (row.state !== 'pending_approval') {
      throw new CrierError(
        'transition_not_allowed',
        `Only an update pending approval can be decided; this one is ${row.state}.`,
        {
          state: row.state,
        },
      );
    }
    assertNotAuthor(row.created_by, tx.actor.id);
    // Whoever changed what goes out (words, variants, status, audience, components) is an author too.
    const edited = await tx.db
      .selectFrom('update_edits')
      .select('actor')
      .where('update_id', '=', row.id)
      .where('actor', '=', tx.actor.id)
      .executeTakeFirst();
    if (edited) assertNotAuthor(edited.actor, tx.actor.id);
    const plan = await currentPlan(tx.db);
    const policy = approvalPolicy(plan, incident.severity);
    const asRole = await requireApprover(tx, incident.id, policy);
    const earlier = (await decisionsOf(tx.db, row.id)).filter((d) => d.round === row.round);
    if (earlier.some((d) => d.actor === tx.actor.id)) {
      throw new CrierError('conflict', 'You have already decided on this version of the update.', {
        decisions: earlier,
      });
    }
    const now = tx.clock.now().toISOString();
    await tx.db
      .insertInto('update_decisions')
      .values({
        update_id: row.id,
        round: row.round,
        actor: tx.actor.id,
        as_role: asRole,
        decision,
        comment,
        at: now,
      })
      .execute();
    const outcome = approvalOutcome(policy, [...earlier, { actor: tx.actor.id, decision }]);
    const state: UpdateState = outcome === 'pending' ? 'pending_approval' : outcome;
    if (state !== row.state) {
      await tx.db
        .updateTable('incident_updates')
        .set({ state, updated_at: now })
        .where('id', '=', row.id)
        .execute();
    }
    await audit(tx, {
      action: decision === 'approve' ? 'incident_update.approve' : 'incident_update.reject',
      subjectType: 'incident_update',
      subjectId: row.id,
      before: { state: row.state },
      after: { state, as_role: asRole, comment, round: row.round },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    const next = { ...row, state, updated_at: now };
    if (state === 'approved' && publish) {
      return publishChecked(tx, incident, next, undefined);
    }
    return loadDraftView(tx.db, next);
  });
}

export async function approveUpdate(ctx: Ctx, incidentId: string, updateId: string, raw: ApproveInput = {}) {
  const input = ApproveInput.parse(raw);
  return decide(ctx, incidentId, updateId, 'approve', input.comment ?? null, input.publish);
}

export async function rejectUpdate(ctx: Ctx, incidentId: string, updateId: string, raw: RejectInput) {
  const input = RejectInput.parse(raw);
  return decide(ctx, incidentId, updateId, 'reject', input.comment, false);
}

/**
 * The plan's approval timeout (an outbox timer armed at submission): a
 * draft still pending in the same round is published unapproved, and
 * recorded as such. Runs in the worker, acting as the system.
 */
export async function publishUnapprovedIfStillPending(
  ctx: Ctx,
  job: { incident_id: string; update_id: string; round: number },
): Promise<boolean> {
  const system = actingAs(ctx, { ...systemActor, id: 'approval-timeout', source: 'worker' });
  return withTransaction(system, async (tx) => {
    const { incident, row } = await lockDraft(tx, job.incident_id, job.update_id);
    // Decided, edited or resubmitted since: this timer is for words nobody is waiting on any more.
    if (row.state !== 'pending_approval' || row.round !== job.round) return false;
    const policy = approvalPolicy(await currentPlan(tx.db), incident.severity);
    if (policy.kind !== 'roles' || policy.publishUnapprovedAfterMs === null) return false;
    await publishRow(tx, incident, row, {
      action: 'incident_update.publish_unapproved',
      insert: false,
      unapproved: true,
    });
    return true;
  });
}
