import { z } from 'zod';
import type { ComponentStatus } from '../../domain/components.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import type { IncidentView } from '../views.ts';
import { appendUpdate } from './append-update.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident, lockIncident } from './queries.ts';

export const ResolveIncidentInput = z.object({
  body: IncidentFields.body.default('This incident has been resolved.'),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  audience: IncidentFields.audience,
});
export type ResolveIncidentInput = z.input<typeof ResolveIncidentInput>;

/**
 * Resolves an incident. Affected components that are still degraded return
 * to `operational`, unless `components` says otherwise for them.
 */
export async function resolveIncident(
  ctx: Ctx,
  id: string,
  raw: ResolveIncidentInput = {},
): Promise<IncidentView> {
  authorize(ctx, 'incident.resolve');
  const input = ResolveIncidentInput.parse(raw);
  await withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx.db, id);
    const degraded = await tx.db
      .selectFrom('incident_components')
      .innerJoin('components', 'components.id', 'incident_components.component_id')
      .select(['components.id', 'components.status'])
      .where('incident_components.incident_id', '=', id)
      .where('components.status', 'not in', ['operational', 'under_maintenance'])
      .execute();
    const restore: Record<string, ComponentStatus> = {};
    for (const c of degraded) restore[c.id] = 'operational';
    await appendUpdate(tx, incident, {
      status: 'resolved',
      body: input.body,
      audience: input.audience,
      deliverNotifications: input.deliver_notifications,
      components: { ...restore, ...input.components },
      componentIds: [],
      action: 'incident.resolve',
    });
  });
  return getIncident(ctx.db, id);
}
