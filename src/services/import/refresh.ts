/**
 * A second run of an import brings over what changed at the source since
 * the first: a component renamed or moved to another status, an incident
 * with new updates or a new status. A record changed at the source after
 * Crier last changed it (its `updated_at`) takes the source's fields; one
 * edited in Crier since keeps Crier's. Updates are history: those the
 * source has and Crier has not (by time and words) are added. An unchanged
 * source changes nothing.
 */

import type { IncidentUpdateRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import type { SourceComponent, SourceIncident, SourceIncidentUpdate } from './page.ts';
import type { Remembered } from './remembered.ts';

/** Whether the source's record changed after Crier's row last did. */
const newer = (source: string, crier: string) => Date.parse(source) > Date.parse(crier);

export async function refreshComponent(tx: Ctx, c: SourceComponent, ids: Remembered): Promise<void> {
  const id = ids.get('component', c.id);
  const row =
    id === undefined
      ? undefined
      : await tx.db
          .selectFrom('components')
          .select(['status', 'updated_at'])
          .where('id', '=', id)
          .executeTakeFirst();
  // Deleted in Crier since, or not changed at the source since: left as Crier has it.
  if (id === undefined || !row || !newer(c.updated_at, row.updated_at)) return;
  await tx.db
    .updateTable('components')
    .set({
      name: c.name,
      description: c.description,
      status: c.status,
      group_id: c.group_id === null ? null : (ids.get('component_group', c.group_id) ?? null),
      position: c.position,
      showcase: c.showcase ? 1 : 0,
      only_show_if_degraded: c.only_show_if_degraded ? 1 : 0,
      start_date: c.start_date,
      updated_at: c.updated_at,
    })
    .where('id', '=', id)
    .execute();
  if (row.status !== c.status) {
    await tx.db
      .insertInto('component_status_history')
      .values({
        component_id: id,
        status: c.status,
        at: tx.clock.now().toISOString(),
        incident_id: null,
        maintenance_id: null,
      })
      .execute();
  }
  ids.countRefresh('component');
}

export async function refreshIncident(tx: Ctx, i: SourceIncident, ids: Remembered): Promise<void> {
  const id = ids.get('incident', i.id);
  const row =
    id === undefined
      ? undefined
      : await tx.db.selectFrom('incidents').select('updated_at').where('id', '=', id).executeTakeFirst();
  if (id === undefined || !row) return;
  const held = await tx.db
    .selectFrom('incident_updates')
    .select(['created_at', 'body'])
    .where('incident_id', '=', id)
    .execute();
  const known = new Set(held.map((u) => `${Date.parse(u.created_at)} ${u.body}`));
  const added = i.updates.filter((u) => !known.has(`${Date.parse(u.created_at)} ${u.body}`));
  for (const u of added) await insertUpdate(tx, id, u, ids);
  const changed = newer(i.updated_at, row.updated_at);
  if (changed) {
    await tx.db
      .updateTable('incidents')
      .set({
        name: i.name,
        status: i.status,
        impact: i.impact,
        impact_override: i.impact_override,
        identified_at: i.updates.find((u) => u.status === 'identified')?.created_at ?? null,
        monitoring_at: i.monitoring_at,
        resolved_at: i.resolved_at,
        updated_at: i.updated_at,
      })
      .where('id', '=', id)
      .execute();
  }
  if (changed || added.length > 0) ids.countRefresh('incident');
}

/** One of the source's updates, published to the public audience as it was. */
export async function insertUpdate(tx: Ctx, incidentId: string, u: SourceIncidentUpdate, ids: Remembered) {
  const update: IncidentUpdateRow = {
    id: await ids.idFor('incident_updates', u.id),
    incident_id: incidentId,
    status: u.status,
    body: u.body,
    state: 'published',
    audience: 'public',
    deliver_notifications: u.deliver_notifications ? 1 : 0,
    affected_components: JSON.stringify(
      u.affected_components.flatMap((a) => {
        const code = ids.get('component', a.code);
        return code === undefined ? [] : [{ ...a, code }];
      }),
    ),
    created_by: tx.actor.id,
    created_at: u.created_at,
    updated_at: u.updated_at,
    published_at: u.created_at,
    display_at: u.display_at,
    round: 0,
    submitted_at: null,
    pending: null,
    lint: null,
    lint_override: null,
    published_unapproved: 0,
    rendered: null,
    next_update_at: null,
    translations: null,
  };
  await tx.db.insertInto('incident_updates').values(update).execute();
  ids.countUpdate();
}
