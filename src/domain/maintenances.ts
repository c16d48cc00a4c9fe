/** The scheduled maintenance state machine and its automatic moves. */
import { CrierError } from './errors.ts';

export const maintenanceStatuses = [
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
  'cancelled',
] as const;
export type MaintenanceStatus = (typeof maintenanceStatuses)[number];

const transitions: Record<MaintenanceStatus, readonly MaintenanceStatus[]> = {
  scheduled: ['in_progress', 'cancelled'],
  in_progress: ['verifying', 'completed', 'cancelled'],
  verifying: ['in_progress', 'completed'],
  completed: [],
  cancelled: [],
};

export function canMoveMaintenance(from: MaintenanceStatus, to: MaintenanceStatus): boolean {
  return transitions[from].includes(to);
}

export function assertMaintenanceTransition(from: MaintenanceStatus, to: MaintenanceStatus): void {
  if (!canMoveMaintenance(from, to)) {
    throw new CrierError('transition_not_allowed', `A maintenance cannot move from ${from} to ${to}.`, {
      from,
      to,
      allowed: transitions[from],
    });
  }
}

export interface MaintenanceWindow {
  status: MaintenanceStatus;
  scheduled_for: string;
  scheduled_until: string;
  auto_start: boolean;
  auto_complete: boolean;
}

/**
 * The move the clock makes on its own at `now`, if any: a scheduled window
 * that has begun starts, an active one that has ended completes. A window
 * that is wholly past takes two moves, so each is recorded.
 */
export function dueMove(m: MaintenanceWindow, now: Date): MaintenanceStatus | null {
  const t = now.getTime();
  const start = Date.parse(m.scheduled_for);
  const end = Date.parse(m.scheduled_until);
  if (m.status === 'scheduled' && m.auto_start && t >= start) return 'in_progress';
  if ((m.status === 'in_progress' || m.status === 'verifying') && m.auto_complete && t >= end) {
    return 'completed';
  }
  return null;
}

export function assertWindow(scheduledFor: string, scheduledUntil: string): void {
  if (Date.parse(scheduledUntil) <= Date.parse(scheduledFor)) {
    throw new CrierError('validation_failed', 'scheduled_until must be after scheduled_for.', {
      scheduled_for: scheduledFor,
      scheduled_until: scheduledUntil,
    });
  }
}
