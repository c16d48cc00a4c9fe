import { z } from 'zod';
import { incidentStatuses, incidentStatusLabels } from '../../domain/incidents.ts';
import type { Ctx } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { postUpdate } from '../updates/post.ts';
import type { IncidentView } from '../views.ts';
import { EditIncidentInput, editIncident } from './edit.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident } from './queries.ts';

export const PatchIncidentInput = EditIncidentInput.extend({
  status: z.enum(incidentStatuses).optional(),
  body: IncidentFields.body.optional(),
  components: IncidentFields.components.optional(),
  component_ids: IncidentFields.component_ids.optional(),
  deliver_notifications: IncidentFields.deliver_notifications.optional(),
});
export type PatchIncidentInput = z.input<typeof PatchIncidentInput>;

/**
 * Statuspage's PATCH on an incident: edits its own fields and, when a status,
 * a body or component changes are given, posts an update with them, all in
 * one transaction. Each part is checked as its own verb checks it.
 */
export async function patchIncident(ctx: Ctx, id: string, raw: PatchIncidentInput): Promise<IncidentView> {
  const { status, body, components, component_ids, deliver_notifications, ...fields } =
    PatchIncidentInput.parse(raw);
  await withTransaction(ctx, async (tx) => {
    if (Object.keys(fields).length > 0) await editIncident(tx, id, fields);
    if (
      status !== undefined ||
      body !== undefined ||
      components !== undefined ||
      component_ids !== undefined
    ) {
      await postUpdate(tx, id, {
        ...(status !== undefined && { status }),
        body:
          body ??
          (status ? `The incident is now: ${incidentStatusLabels[status]}.` : 'Affected components updated.'),
        ...(components !== undefined && { components }),
        ...(component_ids !== undefined && { component_ids }),
        ...(deliver_notifications !== undefined && { deliver_notifications }),
      });
    }
  });
  return getIncident(ctx.db, id);
}
