/**
 * Who may do what. One table, checked by every service verb for the effect
 * it has (resolving, moving a component, reading contacts), whatever the
 * route or path that leads there. The README's role table says the same, and
 * a test holds the two together.
 */
import { CrierError } from './errors.ts';

export const roles = ['admin', 'incident_lead', 'comms_lead', 'support_lead', 'responder', 'viewer'] as const;
export type Role = (typeof roles)[number];

export const actions = [
  /** Incidents, updates, components, maintenances, roles, the support brief, the plan without secrets, counts. */
  'read',
  /** Move a component to another status, by any path (the component, an update, a declaration). */
  'component.status',
  /** Create, rename, describe, regroup, reorder and delete components and groups. */
  'component.manage',
  'incident.declare',
  'incident.update',
  /** Move an incident from an open status to `resolved`, by any path. */
  'incident.resolve',
  'incident.assign_roles',
  'update.approve',
  'update.publish',
  'update.edit_published',
  /** Rate an incident's communication and report the support tickets it brought. */
  'incident.feedback',
  'maintenance.write',
  /** Subscribers' contact details: lists, search, export, a subscriber's record and delivery log. */
  'subscriber.read',
  'subscriber.write',
  /** Let a suppressed contact (bounced, complained, unreachable) receive messages again. */
  'suppression.clear',
  /** Export or erase everything held about one person's contact. */
  'person.data',
  'delivery.replay',
  'plan.apply',
  'token.manage',
  'user.manage',
  'audit.read',
] as const;
export type Action = (typeof actions)[number];

const everything: readonly Action[] = actions;

const leads: readonly Action[] = [
  'read',
  'component.status',
  'component.manage',
  'incident.declare',
  'incident.update',
  'incident.resolve',
  'incident.assign_roles',
  'update.approve',
  'update.publish',
  'update.edit_published',
  'incident.feedback',
  'maintenance.write',
  'delivery.replay',
  'audit.read',
];

const grants: Record<Role, readonly Action[]> = {
  admin: everything,
  // Sees subscriber and delivery counts (`read`), not who the subscribers are.
  incident_lead: leads,
  comms_lead: [...leads, 'subscriber.read', 'subscriber.write'],
  // Posts updates (external ones through the plan's approval), answers customers: their contacts.
  support_lead: ['read', 'incident.update', 'incident.feedback', 'subscriber.read', 'subscriber.write'],
  // Declare and post updates, set what is broken; resolving and the component list stay with the leads.
  responder: ['read', 'component.status', 'incident.declare', 'incident.update', 'incident.feedback'],
  viewer: ['read'],
};

/** What each action lets one do, in words for error messages. */
const described: Record<Action, string> = {
  read: 'read incidents, components and maintenances',
  'component.status': 'change component statuses',
  'component.manage': 'create, change, reorder or delete components and groups',
  'incident.declare': 'declare incidents',
  'incident.update': 'post or draft incident updates',
  'incident.resolve': 'resolve incidents',
  'incident.assign_roles': "assign an incident's roles",
  'update.approve': 'approve or reject updates',
  'update.publish': 'publish updates',
  'update.edit_published': 'correct published updates',
  'incident.feedback': "rate an incident's communication or report its support tickets",
  'maintenance.write': 'schedule or move maintenances',
  'subscriber.read': "read subscribers' contact details",
  'subscriber.write': 'add, import or delete subscribers',
  'suppression.clear': 'clear a suppressed contact',
  'person.data': "export or erase a person's data",
  'delivery.replay': 'replay deliveries',
  'plan.apply': 'apply the plan or read its secrets',
  'token.manage': 'manage API tokens',
  'user.manage': 'invite, change or remove users',
  'audit.read': 'read the audit log',
};

export function can(role: Role, action: Action): boolean {
  return grants[role].includes(action);
}

export function assertCan(role: Role, action: Action): void {
  if (!can(role, action)) {
    throw new CrierError('forbidden', `The role ${role} may not ${described[action]} (${action}).`, {
      role,
      action,
    });
  }
}
