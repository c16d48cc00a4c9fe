import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { CrierError } from '../../src/domain/errors.ts';
import {
  assertIncidentTransition,
  canTransition,
  incidentStatuses,
  isOpen,
  stampInstants,
} from '../../src/domain/incidents.ts';
import { canMoveMaintenance, dueMove, maintenanceStatuses } from '../../src/domain/maintenances.ts';
import { actions, can, roles } from '../../src/domain/permissions.ts';
import { canMoveUpdate, updateStates } from '../../src/domain/updates.ts';

const incidentStatus = fc.constantFrom(...incidentStatuses);

test('open incidents move freely among open statuses and can always be resolved', () => {
  fc.assert(
    fc.property(incidentStatus, incidentStatus, (from, to) => {
      if (isOpen(from) && (isOpen(to) || to === 'resolved')) assert.ok(canTransition(from, to));
      if (isOpen(from) && to === 'postmortem') assert.ok(!canTransition(from, to));
      if (from === 'postmortem') assert.equal(canTransition(from, to), to === 'postmortem');
    }),
  );
});

test('a refused move names where it may go', () => {
  assert.throws(
    () => assertIncidentTransition('investigating', 'postmortem'),
    (err: unknown) =>
      err instanceof CrierError &&
      err.code === 'transition_not_allowed' &&
      (err.details as { allowed: string[] }).allowed.includes('resolved'),
  );
});

test('every path of allowed moves keeps the key instants consistent', () => {
  fc.assert(
    fc.property(fc.array(incidentStatus, { maxLength: 12 }), (path) => {
      let status: (typeof incidentStatuses)[number] = 'investigating';
      let instants = {
        identified_at: null as string | null,
        monitoring_at: null as string | null,
        resolved_at: null as string | null,
      };
      let t = Date.parse('2026-01-01T00:00:00Z');
      for (const next of path) {
        if (!canTransition(status, next)) continue;
        t += 60_000;
        const at = new Date(t).toISOString();
        const before = instants;
        instants = stampInstants(instants, next, at);
        status = next;
        if (before.identified_at)
          assert.equal(instants.identified_at, before.identified_at, 'first identified instant sticks');
        if (isOpen(status)) assert.equal(instants.resolved_at, null);
        if (status === 'resolved') assert.ok(instants.resolved_at);
      }
    }),
  );
});

test('an update is published at most once and only from draft or approved', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...updateStates), { maxLength: 15 }), (path) => {
      let state: (typeof updateStates)[number] = 'draft';
      let published = 0;
      for (const next of path) {
        if (!canMoveUpdate(state, next)) continue;
        if (next === 'published') {
          assert.ok(state === 'draft' || state === 'approved');
          published += 1;
        }
        state = next;
      }
      assert.ok(published <= 1);
    }),
  );
});

test('maintenances end in completed or cancelled and never leave them', () => {
  for (const end of ['completed', 'cancelled'] as const) {
    for (const to of maintenanceStatuses) assert.equal(canMoveMaintenance(end, to), false);
  }
  assert.ok(canMoveMaintenance('scheduled', 'in_progress'));
  assert.ok(!canMoveMaintenance('scheduled', 'completed'));
});

test('the clock starts a window that has begun and completes one that has ended, one move at a time', () => {
  const m = {
    scheduled_for: '2026-01-01T10:00:00.000Z',
    scheduled_until: '2026-01-01T12:00:00.000Z',
    auto_start: true,
    auto_complete: true,
  };
  assert.equal(dueMove({ ...m, status: 'scheduled' }, new Date('2026-01-01T09:59:59Z')), null);
  assert.equal(dueMove({ ...m, status: 'scheduled' }, new Date('2026-01-01T10:00:00Z')), 'in_progress');
  assert.equal(dueMove({ ...m, status: 'scheduled' }, new Date('2026-01-01T13:00:00Z')), 'in_progress');
  assert.equal(dueMove({ ...m, status: 'in_progress' }, new Date('2026-01-01T13:00:00Z')), 'completed');
  assert.equal(dueMove({ ...m, status: 'verifying' }, new Date('2026-01-01T11:00:00Z')), null);
  assert.equal(
    dueMove({ ...m, status: 'scheduled', auto_start: false }, new Date('2026-01-01T13:00:00Z')),
    null,
  );
  fc.assert(
    fc.property(fc.constantFrom(...maintenanceStatuses), fc.date({ noInvalidDate: true }), (status, now) => {
      const move = dueMove({ ...m, status }, now);
      if (move !== null) assert.ok(canMoveMaintenance(status, move));
    }),
  );
});

test('admin can do everything, viewer only reads, and every role can read', () => {
  for (const a of actions) assert.ok(can('admin', a));
  for (const a of actions) assert.equal(can('viewer', a), a === 'read');
  for (const r of roles) assert.ok(can(r, 'read'));
  assert.ok(!can('responder', 'token.manage'));
  assert.ok(can('comms_lead', 'update.approve'));
});
