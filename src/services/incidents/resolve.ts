import { z } from 'zod';
import type { ComponentStatus } from '../../domain/components.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';
import { appendUpdate } from '../updates/post.ts';
import { renderForIncident } from '../updates/render.ts';
import type { IncidentView } from '../views.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident, lockIncident } from './queries.ts';

export const ResolveIncidentInput = z.strictObject({
  /** The closing words; by default the scenario's `resolved` template, or a generic line. */
  body: IncidentFields.body.optional(),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  audience: IncidentFields.audience,
});
export type ResolveIncidentInput = z.input<typeof ResolveIncidentInput>;

const defaultBody = 'This incident has been resolved.';

/**
 * Resolves an incident. Affected components that are still degraded return
 * to `operational`, unless `components` says otherwise for them. Without
 * words of its own, the update says what the incident's scenario has ready
 * for `resolved`, with its channel variants.
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
    const plan = await currentPlan(tx.db);
    const scenario = plan && incident.scenario ? plan.scenarios[incident.scenario] : undefined;
    const rendered =
      input.body === undefined && scenario?.templates.resolved !== undefined
        ? await renderForIncident(tx, plan, incident, { status: 'resolved' })
        : null;
    await appendUpdate(tx, incident, {
      status: 'resolved',
      body: input.body ?? rendered?.body ?? defaultBody,
      ...(rendered && { variants: rendered.variants, translations: rendered.translations }),
      audience: input.audience,
      deliverNotifications: input.deliver_notifications,
      components: { ...restore, ...input.components },
      componentIds: [],
      action: 'incident.resolve',
    });
  });
  return getIncident(ctx.db, id);
}
