/**
 * Editing a draft, in any state before publication. It goes back to `draft`,
 * so an approval always covers the exact words that go out; whoever changes
 * what goes out becomes an author, whom the self-approval rule then covers.
 */

import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { assertIncidentTransition, incidentStatuses } from '../../domain/incidents.ts';
import { assertUpdateTransition } from '../../domain/updates.ts';
import { type PendingChanges, pendingOf, translationsOf } from '../../store/json.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { assertAudience, lintUpdate } from './gate.ts';
import { lockUpdate, Translations, translationsColumn, Variants, variantsOf } from './rows.ts';
import { type DraftView, loadDraftView } from './views.ts';

export const EditDraftInput = z
  .strictObject({
    body: IncidentFields.body,
    variants: Variants,
    /** Replaces every other language's words ({} drops them all). */
    translations: Translations,
    status: z.enum(incidentStatuses),
    audience: IncidentFields.audience,
    components: IncidentFields.components,
    component_ids: IncidentFields.component_ids,
    deliver_notifications: IncidentFields.deliver_notifications,
    /** When the fix is expected; null clears it. Set on the incident when the draft is published. */
    eta: IncidentFields.instant.nullable(),
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
  translations: Translations;
  status: string;
  audience: string;
  pending: PendingChanges;
}

export async function editDraft(
  ctx: Ctx,
  incidentId: string,
  updateId: string,
  raw: EditDraftInput,
): Promise<DraftView> {
  authorize(ctx, 'incident.update');
  const input = EditDraftInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const { incident, row } = await lockUpdate(tx, incidentId, updateId);
    if (row.state === 'published') {
      throw new CrierError(
        'transition_not_allowed',
        'A published update is corrected with PATCH on the update itself.',
        { state: row.state },
      );
    }
    assertUpdateTransition(row.state, 'draft');
    const plan = await currentPlan(tx.db);
    const status = input.status ?? row.status;
    assertIncidentTransition(incident.status, status);
    const audience = input.audience ?? row.audience;
    assertAudience(plan, incident, audience);
    const before = pendingOf(row);
    const pending: PendingChanges = {
      ...before,
      ...(input.components !== undefined && { components: input.components }),
      ...(input.component_ids !== undefined && { component_ids: input.component_ids }),
      ...(input.eta !== undefined && { eta: input.eta }),
    };
    const body = input.body ?? row.body;
    const variants = input.variants ?? variantsOf(row);
    const translations = input.translations ?? translationsOf(row);
    const now = tx.clock.now().toISOString();
    const problems = await lintUpdate(tx, plan, incident.id, status, audience, body, variants, translations);
    const patch = {
      body,
      status,
      audience,
      state: 'draft' as const,
      pending: JSON.stringify(pending),
      rendered: Object.keys(variants).length > 0 ? JSON.stringify(variants) : null,
      translations: translationsColumn(translations),
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
      variants: variantsOf(row),
      translations: translationsOf(row),
      status: row.status,
      audience: row.audience,
      pending: before,
    };
    const is: DraftContent = { body, variants, translations, status, audience, pending };
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
