/**
 * Moving in: a page read from Statuspage or Cachet (./page.ts) written into
 * Crier. History comes as it was — incidents with their published updates
 * and times, maintenances, components in their current status — and no
 * message goes out: nothing is queued, and subscribers arrive confirmed.
 * What each run created is remembered by the source's ids (table
 * `imported`), so a second run creates nothing twice; what changed at the
 * source since (./refresh.ts) is brought over, and nothing else is touched. A dry run does all the work in a
 * transaction that is rolled back, so it reports exactly what a run would do.
 */

import type { IncidentRow, MaintenanceRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { onCommit, withTransaction } from '../transaction.ts';
import type { SourceIncident, SourceMaintenance, SourcePage } from './page.ts';
import { insertUpdate, refreshComponent, refreshIncident } from './refresh.ts';
import { type ImportKind, type ImportReport, Remembered } from './remembered.ts';
import { importSubscribers } from './subscribers.ts';

export type { ImportReport } from './remembered.ts';

class DryRunDone extends Error {}

export async function importPage(
  ctx: Ctx,
  page: SourcePage,
  options: { dryRun: boolean },
): Promise<ImportReport> {
  authorize(ctx, 'component.manage');
  authorize(ctx, 'incident.declare');
  authorize(ctx, 'maintenance.write');
  authorize(ctx, 'subscriber.write');
  const report = emptyReport(page, options.dryRun);
  if (!options.dryRun) {
    await run(ctx, page, report);
    return report;
  }
  await withTransaction(ctx, async (tx) => {
    await run(tx, page, report);
    throw new DryRunDone();
  }).catch((err: unknown) => {
    if (!(err instanceof DryRunDone)) throw err;
  });
  return report;
}

function emptyReport(page: SourcePage, dryRun: boolean): ImportReport {
  const zero = (): Record<ImportKind, number> => ({
    component_group: 0,
    component: 0,
    incident: 0,
    maintenance: 0,
    subscriber: 0,
  });
  return {
    source: page.source,
    dry_run: dryRun,
    created: zero(),
    existing: zero(),
    updated: zero(),
    incident_updates: 0,
    subscribers_by_kind: {},
    items: [],
    invalid: [],
    left: page.left,
  };
}

async function run(ctx: Ctx, page: SourcePage, report: ImportReport): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const ids = await Remembered.load(tx, page, report);
    await importStructure(tx, page, ids);
    await ids.flush();
    onCommit(tx, () => tx.changes.publish({ kind: 'page' }));
  });
  await importSubscribers(ctx, page, report);
  const created = Object.values(report.created).reduce((a, b) => a + b, 0);
  if (created > 0) {
    await withTransaction(ctx, (tx) =>
      audit(tx, {
        action: 'page.import',
        subjectType: 'page',
        subjectId: null,
        after: { source: page.source, created: report.created, incident_updates: report.incident_updates },
      }),
    );
  }
}

async function importStructure(tx: Ctx, page: SourcePage, ids: Remembered): Promise<void> {
  const now = tx.clock.now().toISOString();
  for (const g of page.groups) {
    if (ids.has('component_group', g.id)) continue;
    const id = await ids.idFor('component_groups', g.id);
    await tx.db
      .insertInto('component_groups')
      .values({
        id,
        name: g.name,
        description: g.description,
        position: g.position,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await ids.remember('component_group', g.id, id, g.name);
  }
  for (const c of page.components) {
    if (ids.has('component', c.id)) {
      await refreshComponent(tx, c, ids);
      continue;
    }
    const id = await ids.idFor('components', c.id);
    await tx.db
      .insertInto('components')
      .values({
        id,
        name: c.name,
        description: c.description,
        status: c.status,
        group_id: c.group_id === null ? null : (ids.get('component_group', c.group_id) ?? null),
        position: c.position,
        showcase: c.showcase ? 1 : 0,
        only_show_if_degraded: c.only_show_if_degraded ? 1 : 0,
        start_date: c.start_date,
        created_at: c.created_at,
        updated_at: c.updated_at,
      })
      .execute();
    // Crier's uptime history starts here: what the source knew of earlier days stays there.
    await tx.db
      .insertInto('component_status_history')
      .values({ component_id: id, status: c.status, at: now, incident_id: null, maintenance_id: null })
      .execute();
    await ids.remember('component', c.id, id, c.name);
  }
  for (const i of page.incidents) {
    if (!ids.has('incident', i.id)) await importIncident(tx, i, ids);
    else await refreshIncident(tx, i, ids);
  }
  for (const m of page.maintenances) {
    if (!ids.has('maintenance', m.id)) await importMaintenance(tx, m, ids);
  }
}

async function importIncident(tx: Ctx, i: SourceIncident, ids: Remembered): Promise<void> {
  const id = await ids.idFor('incidents', i.id);
  const firstAt = (status: string) => i.updates.find((u) => u.status === status)?.created_at ?? null;
  const row: IncidentRow = {
    id,
    name: i.name,
    status: i.status,
    impact: i.impact,
    impact_override: i.impact_override,
    severity: null,
    scenario: null,
    drill: 0,
    started_at: i.started_at,
    detected_at: null,
    declared_at: i.created_at,
    first_internal_at: null,
    first_external_at: i.updates[0]?.created_at ?? null,
    identified_at: firstAt('identified'),
    monitoring_at: i.monitoring_at,
    resolved_at: i.resolved_at,
    eta: null,
    next_update_due_at: null,
    created_by: tx.actor.id,
    created_at: i.created_at,
    updated_at: i.updated_at,
    next_internal_update_due_at: null,
    cadence_due: 0,
    cadence_on_time: 0,
    drill_speed: 1,
    audience: null,
    plan_version: null,
  };
  await tx.db.insertInto('incidents').values(row).execute();
  const components = ids.componentIds(i.component_ids);
  if (components.length > 0) {
    await tx.db
      .insertInto('incident_components')
      .values(components.map((component_id) => ({ incident_id: id, component_id, drill_status: null })))
      .execute();
  }
  for (const u of i.updates) await insertUpdate(tx, id, u, ids);
  await ids.remember('incident', i.id, id, i.name);
}

async function importMaintenance(tx: Ctx, m: SourceMaintenance, ids: Remembered): Promise<void> {
  const id = await ids.idFor('maintenances', m.id);
  const row: MaintenanceRow = {
    id,
    name: m.name,
    status: m.status,
    impact: m.impact,
    body: m.updates[0]?.body ?? '',
    scheduled_for: m.scheduled_for,
    scheduled_until: m.scheduled_until,
    auto_start: m.auto_start ? 1 : 0,
    auto_complete: m.auto_complete ? 1 : 0,
    started_at: m.started_at,
    completed_at: m.completed_at,
    sequence: 0,
    created_by: tx.actor.id,
    created_at: m.created_at,
    updated_at: m.updated_at,
  };
  await tx.db.insertInto('maintenances').values(row).execute();
  const components = ids.componentIds(m.component_ids);
  if (components.length > 0) {
    await tx.db
      .insertInto('maintenance_components')
      .values(components.map((component_id) => ({ maintenance_id: id, component_id })))
      .execute();
  }
  for (const u of m.updates) {
    await tx.db
      .insertInto('maintenance_updates')
      .values({
        id: await ids.idFor('maintenance_updates', u.id),
        maintenance_id: id,
        status: u.status,
        body: u.body,
        created_by: tx.actor.id,
        created_at: u.created_at,
      })
      .execute();
  }
  await ids.remember('maintenance', m.id, id, m.name);
}
