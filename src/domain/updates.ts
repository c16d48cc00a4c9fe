/** The lifecycle of one update on an incident's timeline. */
import { CrierError } from './errors.ts';

export const updateStates = ['draft', 'pending_approval', 'approved', 'published', 'rejected'] as const;
export type UpdateState = (typeof updateStates)[number];

/**
 * A draft goes to approval or, when no approval is needed, straight out.
 * Editing an approved or rejected draft sends it back to `draft`, so an
 * approval always covers the exact words that are published.
 */
const transitions: Record<UpdateState, readonly UpdateState[]> = {
  draft: ['draft', 'pending_approval', 'published'],
  pending_approval: ['approved', 'rejected', 'draft'],
  approved: ['published', 'draft'],
  rejected: ['draft', 'pending_approval'],
  published: [],
};

export function canMoveUpdate(from: UpdateState, to: UpdateState): boolean {
  return transitions[from].includes(to);
}

export function assertUpdateTransition(from: UpdateState, to: UpdateState): void {
  if (!canMoveUpdate(from, to)) {
    throw new CrierError('transition_not_allowed', `An update cannot move from ${from} to ${to}.`, {
      from,
      to,
      allowed: transitions[from],
    });
  }
}
