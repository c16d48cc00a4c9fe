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
    componentStatuses: components.map((c) => c.status),
    openIncidentImpacts: incidents.map((i) => i.impact),
    maintenanceInProgress: maintenance !== undefined,
  });
}
