import { z } from 'zod';
import { incidentStatuses } from '../../domain/incidents.ts';
import { newId } from '../../store/ids.ts';
import type { IncidentRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import type { IncidentView } from '../views.ts';
import { appendUpdate } from './append-update.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident } from './queries.ts';

export const DeclareIncidentInput = z.object({
  name: IncidentFields.name,
  status: z.enum(incidentStatuses).exclude(['postmortem']).default('investigating'),
  body: IncidentFields.body.default('We are investigating this issue and will post an update soon.'),
  impact_override: IncidentFields.impact_override.optional(),
  component_ids: IncidentFields.component_ids.default([]),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  audience: IncidentFields.audience,
  severity: IncidentFields.severity.optional(),
  scenario: IncidentFields.scenario.optional(),
  started_at: IncidentFields.instant.optional(),
  detected_at: IncidentFields.instant.optional(),
  eta: IncidentFields.instant.nullable().optional(),
  drill: z.boolean().default(false),
});
export type DeclareIncidentInput = z.input<typeof DeclareIncidentInput>;

/** Declares an incident with its first update, setting the component statuses it names. */
export async function declareIncident(ctx: Ctx, raw: DeclareIncidentInput): Promise<IncidentView> {
  authorize(ctx, 'incident.declare');
  const input = DeclareIncidentInput.parse(raw);
  const id = await withTransaction(ctx, async (tx) => {
    const now = tx.clock.now().toISOString();
    const incident: IncidentRow = {
      id: newId(),
      name: input.name,
      // Inserted as investigating; the first update moves it to the declared status, checked like any move.
      status: 'investigating',
      impact: 'none',
      impact_override: input.impact_override ?? null,
      severity: input.severity ?? null,
      scenario: input.scenario ?? null,
      drill: input.drill ? 1 : 0,
      started_at: input.started_at ?? input.detected_at ?? now,
      detected_at: input.detected_at ?? null,
      declared_at: now,
      first_internal_at: null,
      first_external_at: null,
      identified_at: null,
      monitoring_at: null,
      resolved_at: null,
      eta: input.eta ?? null,
      next_update_due_at: null,
      created_by: tx.actor.id,
      created_at: now,
      updated_at: now,
    };
    await tx.db.insertInto('incidents').values(incident).execute();
    await appendUpdate(tx, incident, {
      status: input.status,
      body: input.body,
      audience: input.audience,
      deliverNotifications: input.deliver_notifications,
      components: input.components,
      componentIds: input.component_ids,
      impactOverride: input.impact_override ?? null,
      action: 'incident.declare',
    });
    return incident.id;
  });
  return getIncident(ctx.db, id);
}
