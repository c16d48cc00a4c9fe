/**
 * Starting a draft of an update: from the scenario's template for the status
 * (or written), linted as it stands, kept until it is submitted, published
 * or discarded. The lifecycle, each verb in its own file: create, edit,
 * submit, approve or reject (decide), publish, discard, correct; every way an
 * update goes out ends in the publish pipeline (pipeline.ts).
 */
import { z } from 'zod';
import { assertIncidentTransition, incidentStatuses } from '../../domain/incidents.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { IncidentFields } from '../incidents/inputs.ts';
import { lockIncident } from '../incidents/queries.ts';
import { currentPlan } from '../plan/current.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { assertAudience, lintUpdate } from './gate.ts';
import { renderForIncident, TemplateVariablesInput } from './render.ts';
import { newUpdateRow, Translations, Variants } from './rows.ts';
import { type DraftView, draftView } from './views.ts';

export const CreateDraftInput = z.strictObject({
  status: z.enum(incidentStatuses).optional(),
  audience: IncidentFields.audience,
  /** Leave out to start from the scenario's template for the status. */
  body: IncidentFields.body.optional(),
  variants: Variants.optional(),
  /** Each other language's words; a language left out starts from its template where the plan has one. */
  translations: Translations.optional(),
  variables: TemplateVariablesInput.default({}),
  impact_override: IncidentFields.impact_override.optional(),
  component_ids: IncidentFields.component_ids.default([]),
  components: IncidentFields.components.default({}),
  deliver_notifications: IncidentFields.deliver_notifications.default(true),
  /** When the fix is expected; null clears it. Set on the incident when the draft is published. */
  eta: IncidentFields.instant.nullable().optional(),
});
export type CreateDraftInput = z.input<typeof CreateDraftInput>;

export async function createDraft(ctx: Ctx, incidentId: string, raw: CreateDraftInput): Promise<DraftView> {
  authorize(ctx, 'incident.update');
  const input = CreateDraftInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx.db, incidentId);
    const status = input.status ?? incident.status;
    assertIncidentTransition(incident.status, status);
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
    const translations = { ...(rendered?.translations ?? {}), ...(input.translations ?? {}) };
    const row = newUpdateRow(tx, incident, {
      status,
      body,
      audience: input.audience,
      deliverNotifications: input.deliver_notifications,
      components: input.components,
      componentIds: input.component_ids,
      ...(input.impact_override !== undefined && { impactOverride: input.impact_override }),
      ...(input.eta !== undefined && { eta: input.eta }),
      variants,
      translations,
    });
    const problems = await lintUpdate(
      tx,
      plan,
      incident.id,
      status,
      input.audience,
      body,
      variants,
      translations,
    );
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
        ...(input.eta !== undefined && { eta: input.eta }),
      },
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incident.id }));
    return draftView(draft);
  });
}
