/**
 * What an update does besides its words: resolving the incident, moving
 * components. Each effect needs its own permission, held by whoever makes the
 * update take effect (who posts or submits it when it goes out at once, whose
 * approval or publication sends it), whichever route led there: a draft that
 * says `resolved` resolves as surely as `POST /incidents/:id/resolve` does.
 */
import { isOpen } from '../../domain/incidents.ts';
import { pendingOf } from '../../store/json.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';

export async function authorizeEffects(
  tx: Ctx,
  incident: IncidentRow,
  row: IncidentUpdateRow,
): Promise<void> {
  if (row.status === 'resolved' && isOpen(incident.status)) {
    authorize(tx, 'incident.resolve');
  }
  const asked = pendingOf(row).components;
  const ids = Object.keys(asked);
  if (ids.length === 0) return;
  const current = await tx.db
    .selectFrom('components')
    .select(['id', 'status'])
    .where('id', 'in', ids)
    .execute();
  if (current.some((c) => asked[c.id] !== c.status)) authorize(tx, 'component.status');
}
