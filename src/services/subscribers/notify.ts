/**
 * Writing the fan-out for something subscribers should hear about, inside
 * the transaction that makes it true (a published update, a maintenance
 * scheduled, starting or ending). The worker expands it later.
 *
 * Drills never reach public or customer audiences: a drill's updates go to
 * the plan's drill audience only (`drill.audience`, `internal` by default),
 * never to webhooks, so the exercise runs through the real channels without
 * telling customers about an incident that is not real.
 */
import { affectedComponentsOf } from '../../store/json.ts';
import { enqueueJob } from '../../store/outbox.ts';
import type { IncidentRow, IncidentUpdateRow, MaintenanceRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';

/** Who hears drills: the plan's drill audience, the internal one without a plan. */
async function drillAudience(tx: Ctx): Promise<string> {
  return (await currentPlan(tx.db))?.drill.audience ?? 'internal';
}

export async function enqueueUpdateFanout(
  tx: Ctx,
  incident: IncidentRow,
  update: IncidentUpdateRow,
): Promise<void> {
  if (update.deliver_notifications !== 1 || update.state !== 'published') return;
  const drill = incident.drill === 1;
  const audience = drill ? await drillAudience(tx) : update.audience;
  const [components, earlier] = await Promise.all([
    tx.db
      .selectFrom('incident_components')
      .select('component_id')
      .where('incident_id', '=', incident.id)
      .execute(),
    tx.db
      .selectFrom('incident_updates')
      .select('id')
      .where('incident_id', '=', incident.id)
      .where('audience', '=', update.audience)
      .where('state', '=', 'published')
      .where('id', '!=', update.id)
      .limit(1)
      .execute(),
  ]);
  await enqueueJob(tx, {
    kind: 'fanout',
    payload: {
      subject_type: 'incident_update',
      subject_id: update.id,
      incident_id: incident.id,
      audience,
      component_ids: components.map((c) => c.component_id),
      sms_default: earlier.length === 0 || update.status === 'resolved',
      drill,
    },
    dedupeKey: `fanout:${update.id}`,
  });
  // Webhook subscribers also get Statuspage's component events, one per component this update moved.
  await enqueueComponentEvents(tx, incident, update, affectedComponentsOf(update));
}

/**
 * Statuspage's component events to webhook subscribers, one per component
 * an update moved: when it is published, or when its statuses went live
 * before its words (src/services/updates/pipeline.ts). One event per
 * component and update.
 */
export async function enqueueComponentEvents(
  tx: Ctx,
  incident: IncidentRow,
  update: IncidentUpdateRow,
  changed: readonly { code: string }[],
): Promise<void> {
  // A drill's component changes are drill state, and drills never reach webhooks.
  if (incident.drill === 1) return;
  for (const component of changed) {
    const subjectId = `${update.id}:${component.code}`;
    await enqueueJob(tx, {
      kind: 'fanout',
      payload: {
        subject_type: 'component_update',
        subject_id: subjectId,
        incident_id: incident.id,
        audience: update.audience,
        component_ids: [component.code],
        sms_default: false,
        drill: false,
        kinds: ['webhook'],
      },
      dedupeKey: `fanout:${subjectId}`,
    });
  }
}

export type MaintenanceEvent = 'scheduled' | 'in_progress' | 'completed' | 'cancelled';

/** A maintenance notice to public subscribers of its components; `reminderMinutes` arms the reminder. */
export async function enqueueMaintenanceFanout(
  tx: Ctx,
  m: MaintenanceRow,
  event: MaintenanceEvent,
  reminderMinutes: number,
): Promise<void> {
  const components = await tx.db
    .selectFrom('maintenance_components')
    .select('component_id')
    .where('maintenance_id', '=', m.id)
    .execute();
  const subjectId = `${m.id}:${event}:${m.sequence}`;
  await enqueueJob(tx, {
    kind: 'fanout',
    payload: {
      subject_type: 'maintenance',
      subject_id: subjectId,
      maintenance_id: m.id,
      event,
      audience: 'public',
      component_ids: components.map((c) => c.component_id),
      sms_default: event !== 'in_progress',
      drill: false,
    },
    dedupeKey: `fanout:${subjectId}`,
  });
  if (event === 'scheduled' && reminderMinutes > 0) {
    const runAt = new Date(Date.parse(m.scheduled_for) - reminderMinutes * 60_000);
    if (runAt.getTime() > tx.clock.now().getTime()) {
      await enqueueJob(tx, {
        kind: 'maintenance.reminder',
        payload: { maintenance_id: m.id, scheduled_for: m.scheduled_for },
        runAt,
        dedupeKey: `maintenance-reminder:${m.id}`,
        replace: true,
      });
    }
  }
}
