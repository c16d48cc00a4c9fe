/**
 * What an ingest request leaves behind: its payload (cut to a bounded size)
 * for audit and inspection, and each alert it carried, one row per source
 * and fingerprint, so a repeated delivery updates the row instead of adding
 * one, and a resolved alert closes it.
 */
import { z } from 'zod';
import type { Alert, AlertStatus, IngestSource } from '../../domain/alerts.ts';
import { newId } from '../../store/ids.ts';
import { enqueueJob } from '../../store/outbox.ts';
import type { AlertRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { currentPlan } from '../plan/current.ts';
import { withTransaction } from '../transaction.ts';

/** How much of a payload is kept: enough for any one alert group, not a flood. */
const STORED_BODY_BYTES = 64 * 1024;

export interface ReceivedPayload {
  keyId: string;
  source: IngestSource;
  contentType: string | null;
  body: Buffer;
}

export const IngestResult = z
  .object({
    status: z.literal('accepted'),
    alerts: z.number().int().describe('Alerts in the payload.'),
    new: z.number().int().describe('Alerts not seen before (or firing again after they resolved).'),
    repeated: z.number().int().describe('Deliveries of alerts already known in the same state.'),
    resolved: z.number().int().describe('Alerts this payload reported resolved.'),
  })
  .meta({ id: 'IngestResult' });
export type IngestResult = z.infer<typeof IngestResult>;

function storedBody(body: Buffer): string {
  return body.subarray(0, STORED_BODY_BYTES).toString('utf8');
}

async function storePayload(
  tx: Ctx,
  payload: ReceivedPayload,
  outcome: 'accepted' | 'rejected',
  alertCount: number,
  error: string | null,
): Promise<string> {
  const id = newId();
  await tx.db
    .insertInto('ingest_payloads')
    .values({
      id,
      key_id: payload.keyId,
      source: payload.source,
      received_at: tx.clock.now().toISOString(),
      outcome,
      error,
      alert_count: alertCount,
      content_type: payload.contentType?.slice(0, 200) ?? null,
      body: storedBody(payload.body),
      body_bytes: payload.body.length,
    })
    .execute();
  return id;
}

/** A payload that did not parse: kept for inspection, and nothing else changes. */
export async function recordRejectedPayload(
  ctx: Ctx,
  payload: ReceivedPayload,
  reason: string,
): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const id = await storePayload(tx, payload, 'rejected', 0, reason.slice(0, 2000));
    await audit(tx, {
      action: 'ingest.reject',
      subjectType: 'ingest_payload',
      subjectId: id,
      after: { source: payload.source, key_id: payload.keyId, reason: reason.slice(0, 500) },
    });
  });
}

type Change = 'new' | 'repeated' | 'resolved';

function changeOf(before: AlertStatus | undefined, after: AlertStatus): Change {
  if (before === after) return 'repeated';
  return after === 'resolved' ? 'resolved' : 'new';
}

async function upsertAlert(tx: Ctx, keyId: string, alert: Alert): Promise<{ row: AlertRow; change: Change }> {
  const now = tx.clock.now().toISOString();
  const fields = {
    status: alert.status,
    title: alert.title.slice(0, 500),
    severity: alert.severity,
    labels: JSON.stringify(alert.labels),
    annotations: JSON.stringify(alert.annotations),
    link: alert.link,
    starts_at: alert.startsAt,
    ends_at: alert.endsAt,
    key_id: keyId,
    last_received_at: now,
  };
  const fresh: AlertRow = {
    id: newId(),
    source: alert.source,
    fingerprint: alert.fingerprint,
    first_received_at: now,
    received_count: 1,
    status_changed_at: now,
    ...fields,
  };
  // Two deliveries of a new alert may race: the second finds the first's row and updates it.
  const inserted = await tx.db
    .insertInto('alerts')
    .values(fresh)
    .onConflict((oc) => oc.columns(['source', 'fingerprint']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
    return { row: fresh, change: changeOf(undefined, alert.status) };
  }
  const existing = await tx.db
    .selectFrom('alerts')
    .selectAll()
    .where('source', '=', alert.source)
    .where('fingerprint', '=', alert.fingerprint)
    .executeTakeFirstOrThrow();
  const change = changeOf(existing.status, alert.status);
  // A repeat keeps the instant the alert began; a source that resends a firing alert may omit it.
  const startsAt = change === 'repeated' ? (existing.starts_at ?? fields.starts_at) : fields.starts_at;
  const statusChangedAt = change === 'repeated' ? existing.status_changed_at : now;
  const row: AlertRow = {
    ...existing,
    ...fields,
    starts_at: startsAt,
    received_count: existing.received_count + 1,
    status_changed_at: statusChangedAt,
  };
  await tx.db
    .updateTable('alerts')
    .set({
      ...fields,
      starts_at: startsAt,
      received_count: row.received_count,
      status_changed_at: statusChangedAt,
    })
    .where('id', '=', existing.id)
    .execute();
  return { row, change };
}

/** Stores a parsed payload and its alerts in one transaction; every new or changed alert is audited. */
export async function receiveAlerts(
  ctx: Ctx,
  payload: ReceivedPayload,
  alerts: readonly Alert[],
): Promise<IngestResult> {
  return withTransaction(ctx, async (tx) => {
    const payloadId = await storePayload(tx, payload, 'accepted', alerts.length, null);
    const runbooks = ((await currentPlan(tx.db))?.runbooks.length ?? 0) > 0;
    const result: IngestResult = {
      status: 'accepted',
      alerts: alerts.length,
      new: 0,
      repeated: 0,
      resolved: 0,
    };
    for (const alert of alerts) {
      const { row, change } = await upsertAlert(tx, payload.keyId, alert);
      if (change === 'new') result.new += 1;
      else if (change === 'repeated') result.repeated += 1;
      else result.resolved += 1;
      if (change === 'repeated') continue;
      // The runbooks run in the worker, after this commit: a slow or failing step never holds up the source.
      // A game day's alert runs them too: they act on its drill alone (runbooks/run.ts).
      if (runbooks) await enqueueJob(tx, { kind: 'runbook.alert', payload: { alert_id: row.id } });
      await audit(tx, {
        action: change === 'resolved' ? 'alert.resolve' : 'alert.fire',
        subjectType: 'alert',
        subjectId: row.id,
        after: {
          source: row.source,
          fingerprint: row.fingerprint,
          status: row.status,
          title: row.title,
          payload_id: payloadId,
        },
      });
    }
    return result;
  });
}
