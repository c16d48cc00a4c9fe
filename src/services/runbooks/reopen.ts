/**
 * Reopening a runbook's incident: an alert of its group fired again soon
 * after the incident resolved, so it is the same trouble back. The incident
 * goes back to investigating in the scenario's words, through the
 * severity's approval policy, as its first notice did. Closing words not yet
 * published (waiting for approval) are withdrawn first, whether the incident
 * had resolved or was still waiting for them: nobody may publish "resolved"
 * for a problem that is live again.
 */
import type { Plan } from '../../plan/schema.ts';
import type { AlertRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { lockIncident } from '../incidents/queries.ts';
import { removeDraft } from '../updates/discard.ts';
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
    ...(rendered && { variants: rendered.variants, translations: rendered.translations }),
  });
}

/** Withdraws the incident's resolved words not yet published; returns how many. */
export async function withdrawClosingWords(tx: Ctx, incidentId: string, alert: AlertRow): Promise<number> {
  await lockIncident(tx.db, incidentId);
  const drafts = await tx.db
    .selectFrom('incident_updates')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .where('status', '=', 'resolved')
    .where('state', 'in', ['draft', 'pending_approval', 'approved'])
    .execute();
  const why = `the ${alert.source} alert "${alert.title}" fired again before it was published`;
  for (const row of drafts) await removeDraft(tx, row, why);
  return drafts.length;
}
