/**
 * Posting an update: written and submitted at once. Without a plan, or when
 * the plan needs no approval at the incident's severity, it is published now
 * (after lint, when a plan is loaded); where the plan asks for approval, an
 * external update waits in `pending_approval`. Internal updates are never
 * linted and never wait. Declaring and resolving an incident post their
 * update the same way, through `appendUpdate`, inside their transaction.
 * Resolving and moving components are checked where they take effect
 * (effects.ts), as for a draft.
 */
import { z } from 'zod';
import { assertIncidentTransition, incidentStatuses } from '../../domain/incidents.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { lockIncident } from '../incidents/queries.ts';
import { currentPlan } from '../plan/current.ts';
import { verbSpan } from '../traced.ts';
import { withTransaction } from '../transaction.ts';
import { type IncidentUpdateView, updateView } from '../views.ts';
import { assertAudience, LintOverride } from './gate.ts';
import { componentsLiveNow } from './pipeline.ts';
import { type NewUpdate, newUpdateRow, Translations, Variants } from './rows.ts';
import { submitRow } from './submit.ts';

export const PostUpdateInput = z.strictObject({
  status: z.enum(incidentStatuses).optional(),
  body: IncidentFields.body,
  impact_override: IncidentFields.impact_override.optional(),
  component_ids: IncidentFields.component_ids.default([]),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  audience: IncidentFields.audience,
  /** When the fix is expected; null clears it. Set on the incident when the update is published. */
  eta: IncidentFields.instant.nullable().optional(),
  /** A comms lead's reason to publish despite lint; recorded. */
  lint_override: LintOverride.optional(),
  variants: Variants.optional(),
  translations: Translations.optional(),
});
export type PostUpdateInput = z.input<typeof PostUpdateInput>;

/** Posts an update to an incident's timeline, moving its status and components. */
export async function postUpdate(
  ctx: Ctx,
  incidentId: string,
  raw: PostUpdateInput,
): Promise<IncidentUpdateView> {
  authorize(ctx, 'incident.update');
  const input = PostUpdateInput.parse(raw);
  return verbSpan(ctx, 'postUpdate', () =>
    withTransaction(ctx, async (tx) => {
      const incident = await lockIncident(tx.db, incidentId);
      const row = await appendUpdate(tx, incident, {
        status: input.status ?? incident.status,
        body: input.body,
        audience: input.audience,
        deliverNotifications: input.deliver_notifications,
        components: input.components,
        componentIds: input.component_ids,
        ...(input.impact_override !== undefined && { impactOverride: input.impact_override }),
        ...(input.eta !== undefined && { eta: input.eta }),
        action: input.status === 'resolved' ? 'incident.resolve' : 'incident.update',
        ...(input.lint_override !== undefined && { lintOverride: input.lint_override }),
        ...(input.variants !== undefined && { variants: input.variants }),
        ...(input.translations !== undefined && { translations: input.translations }),
      });
      return updateView(row);
    }),
  );
}

export interface AppendUpdate extends NewUpdate {
  action: string;
  lintOverride?: LintOverride;
  /** `keep_draft`: failing lint keeps the update as a draft instead of refusing it (a declaration). */
  onLintFailure?: 'refuse' | 'keep_draft';
}

/** The one way a new update joins an incident's timeline, inside the caller's transaction. */
export async function appendUpdate(
  tx: Ctx,
  incident: IncidentRow,
  input: AppendUpdate,
): Promise<IncidentUpdateRow> {
  assertIncidentTransition(incident.status, input.status);
  const row = newUpdateRow(tx, incident, input);
  assertAudience(await currentPlan(tx.db), incident, input.audience);
  const submitted = await submitRow(tx, incident, row, {
    insert: true,
    action: input.action,
    lintOverride: input.lintOverride,
    keepDraftOnLintFailure: input.onLintFailure === 'keep_draft',
  });
  // The words may wait; the component statuses, facts, go live now unless the plan holds them.
  return submitted.state === 'published' ? submitted : componentsLiveNow(tx, incident, submitted);
}
