/** The incident state machine. */
import { CrierError } from './errors.ts';

export const incidentStatuses = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
  'postmortem',
] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

export const openIncidentStatuses: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring'];
const open = openIncidentStatuses;

/**
 * Allowed moves. While open, an incident may move between any of the open
 * statuses (teams skip `identified`, or go back to `investigating` when a fix
 * fails) and may be resolved from any of them. A resolved incident may be
 * reopened or get its postmortem; a postmortem is final. Staying in the same
 * status is how a follow-up update is posted.
 */
const transitions: Record<IncidentStatus, readonly IncidentStatus[]> = {
  investigating: [...open, 'resolved'],
  identified: [...open, 'resolved'],
  monitoring: [...open, 'resolved'],
  resolved: [...open, 'resolved', 'postmortem'],
  postmortem: ['postmortem'],
};

export function isOpen(status: IncidentStatus): boolean {
  return open.includes(status);
}

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
  return transitions[from].includes(to);
}

export function assertIncidentTransition(from: IncidentStatus, to: IncidentStatus): void {
  if (!canTransition(from, to)) {
    throw new CrierError('transition_not_allowed', `An incident cannot move from ${from} to ${to}.`, {
      from,
      to,
      allowed: transitions[from],
    });
  }
}

/** The key instants an incident records when it enters a status for the first time. */
export interface IncidentInstants {
  identified_at: string | null;
  monitoring_at: string | null;
  resolved_at: string | null;
}

export function stampInstants(current: IncidentInstants, to: IncidentStatus, at: string): IncidentInstants {
  const next: IncidentInstants = {
    identified_at: current.identified_at,
    monitoring_at: current.monitoring_at,
    resolved_at: current.resolved_at,
  };
  if (to === 'identified' && next.identified_at === null) next.identified_at = at;
  if (to === 'monitoring' && next.monitoring_at === null) next.monitoring_at = at;
  if (to === 'resolved' && next.resolved_at === null) next.resolved_at = at;
  // Reopening clears the resolution, so the incident counts as unresolved again.
  if (isOpen(to)) next.resolved_at = null;
  return next;
}

export const incidentStatusLabels: Record<IncidentStatus, string> = {
  investigating: 'Investigating',
  identified: 'Identified',
  monitoring: 'Monitoring',
  resolved: 'Resolved',
  postmortem: 'Postmortem',
};
