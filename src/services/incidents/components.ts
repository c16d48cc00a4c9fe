/**
 * Moving an incident's components now, without posting an update: the war
 * room's "what is broken" controls. Each move is recorded in the
 * component's history as caused by the incident (so its timeline shows it)
 * and the page follows; customers hear of it with the next update. A
 * drill's moves are drill state (drill-state.ts): the page never follows.
 */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { audit } from '../audit.ts';
import { requireComponents } from '../components/queries.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import { moveComponentFor } from './drill-state.ts';
import { IncidentFields } from './inputs.ts';
import { lockIncident } from './queries.ts';

export const SetIncidentComponentsInput = z.strictObject({ components: IncidentFields.components });
export type SetIncidentComponentsInput = z.input<typeof SetIncidentComponentsInput>;

/** Sets the given statuses on components linked to the incident; returns how many moved. */
export async function setIncidentComponents(
  ctx: Ctx,
  incidentId: string,
  raw: SetIncidentComponentsInput,
): Promise<{ moved: number }> {
  authorize(ctx, 'component.status');
  const { components } = SetIncidentComponentsInput.parse(raw);
  return withTransaction(ctx, async (tx) => {
    const incident = await lockIncident(tx.db, incidentId);
    const linked = await tx.db
      .selectFrom('incident_components')
      .select('component_id')
      .where('incident_id', '=', incidentId)
      .execute();
    const ids = Object.keys(components);
    const foreign = ids.filter((id) => !linked.some((l) => l.component_id === id));
    if (foreign.length > 0) {
      throw new CrierError(
        'validation_failed',
        'Only the components linked to this incident are set here; link others with an update.',
        [{ path: 'components', message: `not linked: ${foreign.join(', ')}` }],
      );
    }
    const rows = await requireComponents(tx.db, ids);
    const before: Record<string, string> = {};
    const after: Record<string, string> = {};
    for (const row of rows) {
      const status = components[row.id];
      const old = status === undefined ? null : await moveComponentFor(tx, incident, row, status);
      if (old === null || status === undefined) continue;
      before[row.id] = old;
      after[row.id] = status;
    }
    const moved = Object.keys(after).length;
    if (moved > 0) {
      await audit(tx, {
        action: 'incident.set_components',
        subjectType: 'incident',
        subjectId: incidentId,
        before,
        after,
      });
      onCommit(tx, () => tx.changes.publish({ kind: 'incident', id: incidentId }));
    }
    return { moved };
  });
}
