/**
 * Playing one event of a game day's script, inside the step's transaction,
 * acting as the game day. An event that cannot apply (a component since
 * deleted, a drill the team already resolved) is skipped and says why: a
 * rehearsal goes on.
 */
import { type Alert, gameDayLabel } from '../../domain/alerts.ts';
import { parseDuration } from '../../domain/duration.ts';
import { CrierError } from '../../domain/errors.ts';
import type { ScriptEvent } from '../../plan/game-days.ts';
import type { Ctx } from '../context.ts';
import { moveComponentFor } from '../incidents/drill-state.ts';
import { requireIncident } from '../incidents/queries.ts';
import { resolveIncident } from '../incidents/resolve.ts';
import { receiveAlerts } from '../ingest/receive.ts';

interface Run {
  id: string;
  name: string;
  incident_id: string;
  speed: number;
  /** The event's place in the script. */
  index: number;
}

export interface Played {
  what: string;
  failing?: { channel: string; until: string | null };
  skipped?: string;
}

export async function playEvent(tx: Ctx, run: Run, event: ScriptEvent): Promise<Played> {
  const now = tx.clock.now();
  if (event.alert) {
    await receiveAlerts(tx, payloadFor(run, event.alert), [
      {
        source: 'generic',
        fingerprint: `game-day:${run.id}:${run.index}`,
        status: 'firing',
        title: event.alert.title,
        severity: event.alert.severity ?? null,
        labels: { ...event.alert.labels, [gameDayLabel]: run.id },
        annotations: {},
        startsAt: now.toISOString(),
        endsAt: null,
        link: null,
      },
    ]);
    return { what: 'alert' };
  }
  if (event.resolve_alert) {
    const firing = await tx.db
      .selectFrom('alerts')
      .selectAll()
      .where('source', '=', 'generic')
      .where('fingerprint', 'like', `game-day:${run.id}:%`)
      .where('status', '=', 'firing')
      .execute();
    const resolved: Alert[] = firing.map((a) => ({
      source: 'generic',
      fingerprint: a.fingerprint,
      status: 'resolved',
      title: a.title,
      severity: a.severity,
      labels: JSON.parse(a.labels) as Record<string, string>,
      annotations: {},
      startsAt: a.starts_at,
      endsAt: now.toISOString(),
      link: null,
    }));
    if (resolved.length === 0)
      return { what: 'resolve_alert', skipped: 'no alert of this game day is firing' };
    await receiveAlerts(tx, payloadFor(run, { resolved: resolved.length }), resolved);
    return { what: 'resolve_alert' };
  }
  if (event.component) {
    const incident = await requireIncident(tx.db, run.incident_id);
    const missing: string[] = [];
    for (const [id, status] of Object.entries(event.component)) {
      const component = await tx.db
        .selectFrom('components')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!component) missing.push(id);
      else await moveComponentFor(tx, incident, component, status);
    }
    return {
      what: 'component',
      ...(missing.length > 0 && { skipped: `no component ${missing.join(', ')}` }),
    };
  }
  if (event.fail_channel) {
    const ms = event.fail_channel.for === undefined ? null : (parseDuration(event.fail_channel.for) ?? 0);
    const until = ms === null ? null : new Date(now.getTime() + ms / run.speed).toISOString();
    return { what: 'fail_channel', failing: { channel: event.fail_channel.channel, until } };
  }
  if (event.resolve) {
    const incident = await requireIncident(tx.db, run.incident_id);
    if (incident.status === 'resolved') return { what: 'resolve', skipped: 'the team resolved it already' };
    try {
      await resolveIncident(tx, run.incident_id, {});
    } catch (err) {
      if (!(err instanceof CrierError)) throw err;
      return { what: 'resolve', skipped: err.message };
    }
    return { what: 'resolve' };
  }
  return { what: 'unknown', skipped: 'an event this version does not know' };
}

/** What the ingest path keeps of a game day's alert: the event itself, as the payload. */
function payloadFor(run: Run, body: unknown) {
  return {
    keyId: `game-day:${run.id}`,
    source: 'generic' as const,
    contentType: 'application/json',
    body: Buffer.from(JSON.stringify({ game_day: run.name, event: body })),
  };
}
