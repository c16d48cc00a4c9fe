import { z } from 'zod';
import { incidentStatuses } from '../../domain/incidents.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import { LintOverride, Variants } from '../updates/gate.ts';
import { type IncidentUpdateView, updateView } from '../views.ts';
import { appendUpdate } from './append-update.ts';
import { IncidentFields } from './inputs.ts';
import { lockIncident } from './queries.ts';

export const PostUpdateInput = z.object({
  status: z.enum(incidentStatuses).optional(),
  body: IncidentFields.body,
  impact_override: IncidentFields.impact_override.optional(),
  component_ids: IncidentFields.component_ids.default([]),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  audience: IncidentFields.audience,
  /** A comms lead's reason to publish despite lint; recorded. */
  lint_override: LintOverride.optional(),
  variants: Variants.optional(),
});
export type PostUpdateInput = z.input<typeof PostUpdateInput>;

/** Posts an update to an incident's timeline, moving its status and components. */
export async function postUpdate(
  ctx: Ctx,
  incidentId: string,
  raw: PostUpdateInput,
): Promise<IncidentUpdateView> {
  const input = PostUpdateInput.parse(raw);
  authorize(ctx, input.status === 'resolved' ? 'incident.resolve' : 'incident.update');
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx.db, incidentId);
    const row = await appendUpdate(tx, incident, {
      status: input.status ?? (incident.status as NonNullable<typeof input.status>),
      body: input.body,
      audience: input.audience,
      deliverNotifications: input.deliver_notifications,
      components: input.components,
      componentIds: input.component_ids,
      ...(input.impact_override !== undefined && { impactOverride: input.impact_override }),
      action: input.status === 'resolved' ? 'incident.resolve' : 'incident.update',
      ...(input.lint_override !== undefined && { lintOverride: input.lint_override }),
      ...(input.variants !== undefined && { variants: input.variants }),
    });
    return updateView(row);
  });
}
