/**
 * One incident's timeline as its readers see it: what was done to it and to
 * its updates (declared, drafted, edited, submitted, approved, rejected,
 * published, roles reassigned, deliveries replayed) from the audit log, and
 * the component moves it caused, newest first. It shows who and when, and a
 * comment where one was written; not the audit log's before and after
 * (that is the audit log's own screen, for those who may read it).
 */
import { z } from 'zod';
import type { Db } from '../../store/db.ts';
import { auditValuesOf } from '../../store/json.ts';

export interface TimelineEntry {
  at: string;
  actor: string;
  /** An audit action (`incident_update.approve`…) or `component.status`. */
  action: string;
  update_id: string | null;
  /** A rejection's comment, a last resort's reason, a component's move. */
  note: string | null;
}

const Noted = z.object({ comment: z.string().nullish(), reason: z.string().nullish() }).loose();

function noteOf(after: unknown): string | null {
  const parsed = Noted.safeParse(after);
  if (!parsed.success) return null;
  return parsed.data.comment || parsed.data.reason || null;
}

export async function incidentTimeline(db: Db, incidentId: string, limit = 200): Promise<TimelineEntry[]> {
  const updateIds = db.selectFrom('incident_updates').select('id').where('incident_id', '=', incidentId);
  const [entries, moves] = await Promise.all([
    db
      .selectFrom('audit_log')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb.and([eb('subject_type', 'in', ['incident', 'delivery']), eb('subject_id', '=', incidentId)]),
          eb.and([
            eb('subject_type', 'in', ['incident_update', 'delivery']),
            eb('subject_id', 'in', updateIds),
          ]),
        ]),
      )
      .orderBy('id', 'desc')
      .limit(limit)
      .execute(),
    db
      .selectFrom('component_status_history')
      .innerJoin('components', 'components.id', 'component_status_history.component_id')
      .select(['component_status_history.at', 'component_status_history.status', 'components.name'])
      .where('component_status_history.incident_id', '=', incidentId)
      .orderBy('component_status_history.at', 'desc')
      .limit(limit)
      .execute(),
  ]);
  const timeline: TimelineEntry[] = [
    ...entries.map((e) => ({
      at: e.at,
      actor: e.actor,
      action: e.action,
      update_id: e.subject_type === 'incident' ? null : e.subject_id,
      note: noteOf(auditValuesOf(e).after),
    })),
    ...moves.map((m) => ({
      at: m.at,
      actor: '',
      action: 'component.status',
      update_id: null,
      note: `${m.name}: ${m.status.replaceAll('_', ' ')}`,
    })),
  ];
  // Stable: entries of one instant keep the audit log's order.
  return timeline.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)).slice(0, limit);
}
