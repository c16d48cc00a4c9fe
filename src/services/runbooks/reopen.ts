/**
 * Reopening a runbook's incident: an alert of its group fired again soon
 * after the incident resolved, so it is the same trouble back. The incident
 * goes back to investigating in the scenario's words, through the
 * severity's approval policy, as its first notice did.
 */
import type { Plan } from '../../plan/schema.ts';
import type { AlertRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { lockIncident } from '../incidents/queries.ts';
import { postUpdate } from '../updates/post.ts';
import { renderForIncident } from '../updates/render.ts';

export async function reopenIncident(
  tx: Ctx,
  plan: Plan,
  incidentId: string,
  alert: AlertRow,
): Promise<void> {
  const incident = await lockIncident(tx.db, incidentId);
  const scenario = incident.scenario ? plan.scenarios[incident.scenario] : undefined;
  const rendered =
    scenario?.templates.investigating !== undefined
      ? await renderForIncident(tx, plan, incident, { status: 'investigating' })
      : null;
  await postUpdate(tx, incidentId, {
    status: 'investigating',
    body:
      rendered?.body ??
      `The problem is back: we are investigating again (the ${alert.source} alert "${alert.title}" fired again).`,
    ...(rendered && { variants: rendered.variants }),
  });
}
