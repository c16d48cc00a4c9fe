/**
 * What an incident's room is told of one entry of its timeline (the audit
 * log): updates published (internal ones in full), roles given, approval
 * requests (with buttons while the draft still waits), decisions, edits.
 */
import { z } from 'zod';
import type { RoomPost } from '../../channels/rooms.ts';
import { incidentRoleLabels, incidentRoles } from '../../domain/roles.ts';
import type { IncidentRow, IncidentUpdateRow } from '../../store/schema.ts';

export interface TimelineRow {
  readonly id: number;
  readonly actor: string;
  readonly action: string;
  readonly subject_type: string;
  readonly subject_id: string | null;
  readonly after: unknown;
}

const Published = z.looseObject({
  status: z.string().optional(),
  body: z.string().optional(),
  audience: z.string().optional(),
});
const Noted = z.looseObject({ comment: z.string().nullish(), reason: z.string().nullish() });
const Holders = z.record(z.string(), z.string().nullable());

/** `token:carol@acme.example` and `user:carol@acme.example` are carol@acme.example. */
const personOf = (actor: string) => actor.replace(/^(?:token|user|chat):/, '');

const status = (s: string | undefined) => (s ? s.replaceAll('_', ' ') : 'unchanged');

/**
 * The post for one entry, or null for one the room need not hear. `update` is the entry's
 * update as it stands now (for an approval request: whether it still waits).
 */
export function roomPostOf(
  entry: TimelineRow,
  incident: Pick<IncidentRow, 'id' | 'name'>,
  update: Pick<IncidentUpdateRow, 'id' | 'audience' | 'state' | 'body' | 'status'> | undefined,
  url: string,
): RoomPost | null {
  const who = personOf(entry.actor);
  const published = Published.safeParse(entry.after);
  const p = published.success ? published.data : {};
  const post = (title: string, text: string, decide?: string): RoomPost => ({
    title,
    text,
    url,
    ...(decide && { decide }),
  });
  switch (entry.action) {
    case 'incident.declare':
      return post(
        `Declared by ${who}: ${incident.name}`,
        `Status ${status(p.status)}. ${p.audience ?? 'public'} update:\n${p.body ?? ''}`,
      );
    case 'incident.update':
    case 'incident.resolve': {
      const internal = p.audience === 'internal';
      const title = internal
        ? `Internal update by ${who}`
        : `Published to ${p.audience ?? 'public'} by ${who}`;
      return post(`${title} (${status(p.status)})`, p.body ?? '');
    }
    case 'incident.assign_roles': {
      const holders = Holders.safeParse(entry.after);
      if (!holders.success) return post(`Roles changed by ${who}`, '');
      const lines = incidentRoles
        .filter((role) => holders.data[role] !== undefined)
        .map((role) => `${incidentRoleLabels[role]}: ${holders.data[role] ?? 'nobody'}`);
      return post(`Roles changed by ${who}`, lines.join('\n'));
    }
    case 'incident_update.submit': {
      if (!update) return null;
      const waiting = update.state === 'pending_approval';
      return post(
        `Approval needed: ${update.audience} update (${status(update.status)}), by ${who}`,
        `${update.body}${waiting ? '' : `\n\n(Since then: ${status(update.state)}.)`}`,
        waiting ? `${incident.id}:${update.id}` : undefined,
      );
    }
    case 'incident_update.approve':
    case 'incident_update.reject': {
      const noted = Noted.safeParse(entry.after);
      const note = noted.success ? (noted.data.comment ?? noted.data.reason ?? '') : '';
      const verb = entry.action.endsWith('approve') ? 'Approved' : 'Rejected';
      return post(`${verb} by ${who}: ${update?.audience ?? ''} update`.trim(), note ? `"${note}"` : '');
    }
    case 'incident_update.publish_unapproved':
      return post('Published without approval: the plan’s approval timeout ran out', update?.body ?? '');
    case 'incident_update.draft':
      return post(`Draft written by ${who}`, update?.body ?? '');
    case 'incident_update.discard':
      return post(`Draft discarded by ${who}`, '');
    case 'incident_update.withdraw': {
      const noted = Noted.safeParse(entry.after);
      const why = noted.success ? (noted.data.reason ?? '') : '';
      return post(`Draft withdrawn by ${who}`, why ? `It will not go out: ${why}.` : '');
    }
    case 'incident.edit':
      return post(`Incident edited by ${who}`, describeEdit(entry.after));
    case 'incident.set_components':
      return post(`Components changed by ${who}`, '');
    default:
      return post(`${entry.action.replace(/[._]/g, ' ')} by ${who}`, '');
  }
}

function describeEdit(after: unknown): string {
  const fields = z.record(z.string(), z.unknown()).safeParse(after);
  if (!fields.success) return '';
  return Object.entries(fields.data)
    .filter(([key]) => key !== 'updated_at')
    .map(
      ([key, value]) =>
        `${key.replaceAll('_', ' ')}: ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    )
    .join('\n');
}
