/** Who may do what. One table, checked by every service verb. */
import { CrierError } from './errors.ts';

export const roles = ['admin', 'incident_lead', 'comms_lead', 'support_lead', 'responder', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const actions = [
  'read',
  'component.write',
  'incident.declare',
  'incident.update',
  'incident.resolve',
  'incident.assign_roles',
  'update.approve',
  'update.publish',
  'update.edit_published',
  'maintenance.write',
  'subscriber.read',
  'subscriber.write',
  'delivery.replay',
  'plan.apply',
  'token.manage',
  'user.manage',
  'audit.read',
] as const;
export type Action = (typeof actions)[number];

const everything: readonly Action[] = actions;

const grants: Record<Role, readonly Action[]> = {
  admin: everything,
  incident_lead: [
    'read',
    'component.write',
    'incident.declare',
    'incident.update',
    'incident.resolve',
    'incident.assign_roles',
    'update.approve',
    'update.publish',
    'update.edit_published',
    'maintenance.write',
    'subscriber.read',
    'delivery.replay',
    'audit.read',
  ],
  comms_lead: [
    'read',
    'component.write',
    'incident.declare',
    'incident.update',
    'incident.resolve',
    'incident.assign_roles',
    'update.approve',
    'update.publish',
    'update.edit_published',
    'maintenance.write',
    'subscriber.read',
    'subscriber.write',
    'delivery.replay',
    'audit.read',
  ],
  support_lead: ['read', 'incident.update', 'subscriber.read', 'subscriber.write'],
  // Responders declare and post updates; publishing externally stays with the leads' approval policy.
  responder: ['read', 'component.write', 'incident.declare', 'incident.update'],
  viewer: ['read'],
};

export function can(role: Role, action: Action): boolean {
  return grants[role].includes(action);
}

export function assertCan(role: Role, action: Action): void {
  if (!can(role, action)) {
    throw new CrierError('forbidden', `The role ${role} may not ${action.replace('.', ': ')}.`, {
      role,
      action,
    });
  }
}
