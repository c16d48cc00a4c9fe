import { z } from 'zod';
import { impacts } from '../../domain/components.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import type { IncidentView } from '../views.ts';
import { IncidentFields } from './inputs.ts';
import { getIncident, lockIncident } from './queries.ts';

export const EditIncidentInput = z
  .object({
    name: IncidentFields.name,
    impact_override: z.enum(impacts).nullable(),
    severity: IncidentFields.severity.nullable(),
    eta: IncidentFields.instant.nullable(),
    started_at: IncidentFields.instant,
  })
  .partial();
export type EditIncidentInput = z.input<typeof EditIncidentInput>;

/** Edits an incident's own fields; status moves go through updates. */
export async function editIncident(ctx: Ctx, id: string, raw: EditIncidentInput): Promise<IncidentView> {
  authorize(ctx, 'incident.update');
  const input = EditIncidentInput.parse(raw);
  await withTransaction(ctx, async (tx) => {
    const before = await lockIncident(tx.db, id);
    const patch = {
      ...(input.name !== undefined && { name: input.name }),
      ...(input.impact_override !== undefined && {
        impact_override: input.impact_override,
        ...(input.impact_override !== null && { impact: input.impact_override }),
      }),
      ...(input.severity !== undefined && { severity: input.severity }),
      ...(input.eta !== undefined && { eta: input.eta }),
      ...(input.started_at !== undefined && { started_at: input.started_at }),
    };
    await tx.db
      .updateTable('incidents')
      .set({ ...patch, updated_at: tx.clock.now().toISOString() })
      .where('id', '=', id)
      .execute();
    await audit(tx, {
      action: 'incident.edit',
      subjectType: 'incident',
      subjectId: id,
      before: Object.fromEntries(Object.keys(patch).map((k) => [k, before[k as keyof typeof before]])),
      after: patch,
    });
    onCommit(tx, () => tx.changes.publish({ kind: 'incident', id }));
  });
  return getIncident(ctx.db, id);
}
