/**
 * The page's overall status as `status.json` shows it, read now from the
 * same facts the page is rendered from: every component's status, the
 * impacts of the public incidents still open, and whether a maintenance is
 * in progress. Component webhook events carry it.
 */
import type { ComponentStatus } from '../domain/components.ts';
import { openIncidentStatuses } from '../domain/incidents.ts';
import { type V2Status, v2StatusOf } from '../domain/statuspage.ts';
import type { Db } from '../store/db.ts';
import { publicIncidents } from './incidents/queries.ts';

export async function currentPageStatus(db: Db): Promise<V2Status> {
  const [components, incidents, maintenance] = await Promise.all([
    db.selectFrom('components').select('status').execute(),
    publicIncidents(db).select('impact').where('status', 'in', openIncidentStatuses).execute(),
    db
      .selectFrom('maintenances')
      .select('id')
      .where('status', 'in', ['in_progress', 'verifying'])
      .limit(1)
      .executeTakeFirst(),
  ]);
  return v2StatusOf({
    componentStatuses: components.map((c) => c.status as ComponentStatus),
    openIncidentImpacts: incidents.map((i) => i.impact),
    maintenanceInProgress: maintenance !== undefined,
  });
}
