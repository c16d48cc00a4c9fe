import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type ApprovalPolicy,
  approvalOutcome,
  approverRole,
  assertNotAuthor,
  needsApproval,
} from '../../src/domain/approval.ts';
import {
  adherence,
  type CadencePolicy,
  countPublish,
  dueAfterCadenceChange,
  nextDueAfterPublish,
  reminderStillDue,
  remindersFor,
} from '../../src/domain/cadence.ts';
import { isHolder, rotaHolder } from '../../src/domain/roles.ts';

const policy: CadencePolicy = {
  externalMs: 30 * 60_000,
  internalMs: 15 * 60_000,
  firstExternalMs: 15 * 60_000,
  remindBeforeMs: 5 * 60_000,
  overdueAfterMs: 5 * 60_000,
};
const instant = fc
  .integer({ min: Date.parse('2025-01-01'), max: Date.parse('2030-01-01') })
  .map((t) => new Date(t).toISOString());

test('the next update is due one cadence after a publish while open, and never once resolved', () => {
  fc.assert(
    fc.property(instant, fc.integer({ min: 60_000, max: 86_400_000 }), (at, every) => {
      const p = { ...policy, externalMs: every };
      assert.equal(
        Date.parse(nextDueAfterPublish(p, 'external', 'investigating', at) ?? '') - Date.parse(at),
        every,
      );
      assert.equal(nextDueAfterPublish(p, 'external', 'resolved', at), null);
      assert.equal(nextDueAfterPublish(p, 'external', 'postmortem', at), null);
      assert.equal(nextDueAfterPublish({ ...p, externalMs: null }, 'external', 'monitoring', at), null);
    }),
  );
});

test('after a severity change the deadline follows the new cadence from the last publish, or the first-notice target', () => {
  const detected = '2026-01-15T10:00:00.000Z';
  const last = '2026-01-15T10:05:00.000Z';
  assert.equal(dueAfterCadenceChange(policy, 'identified', last, detected), '2026-01-15T10:35:00.000Z');
  assert.equal(dueAfterCadenceChange(policy, 'investigating', null, detected), '2026-01-15T10:15:00.000Z');
  assert.equal(
    dueAfterCadenceChange({ ...policy, firstExternalMs: null }, 'investigating', null, detected),
    null,
  );
  assert.equal(dueAfterCadenceChange(policy, 'resolved', last, detected), null);
});

test('reminders come before, at and after the deadline, in order, and only the future ones (overdue always)', () => {
  fc.assert(
    fc.property(instant, fc.integer({ min: -3_600_000, max: 3_600_000 }), (due, offset) => {
      const now = new Date(Date.parse(due) + offset).toISOString();
      const list = remindersFor(policy, due, now);
      const times = list.map((r) => Date.parse(r.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.equal(list.at(-1)?.stage, 'overdue');
      assert.deepEqual(list.at(-1)?.notify, ['comms_lead', 'incident_lead']);
      for (const r of list) {
        assert.equal(r.dueAt, due);
        if (r.stage !== 'overdue') assert.ok(Date.parse(r.at) > Date.parse(now));
        if (r.stage !== 'overdue') assert.deepEqual(r.notify, ['comms_lead']);
      }
    }),
  );
  assert.equal(reminderStillDue({ dueAt: 'a' }, 'a', 'investigating'), true);
  assert.equal(reminderStillDue({ dueAt: 'a' }, 'b', 'investigating'), false);
  assert.equal(reminderStillDue({ dueAt: 'a' }, 'a', 'resolved'), false);
});

test('adherence counts each publish against its deadline and stays between 0 and 1', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(instant, fc.integer({ min: -3_600_000, max: 3_600_000 }), fc.boolean())),
      (events) => {
        let a = adherence(0, 0);
        let due = 0;
        let onTime = 0;
        for (const [at, late, hasDeadline] of events) {
          const deadline = hasDeadline ? at : null;
          const published = new Date(Date.parse(at) + late).toISOString();
          a = countPublish(a, deadline, published);
          if (hasDeadline) {
            due += 1;
            if (late <= 0) onTime += 1;
          }
        }
        assert.equal(a.updates_due, due);
        assert.equal(a.updates_on_time, onTime);
        if (due === 0) assert.equal(a.ratio, null);
        else assert.ok(a.ratio !== null && a.ratio >= 0 && a.ratio <= 1);
      },
    ),
  );
});

test('approval: internal never needs it; one rejection rejects; enough distinct approvers approve', () => {
  const two: ApprovalPolicy = {
    kind: 'roles',
    roles: ['comms_lead', 'incident_lead'],
    count: 2,
    publishUnapprovedAfterMs: null,
  };
  assert.equal(needsApproval(two, 'internal'), false);
  assert.equal(needsApproval(two, 'public'), true);
  assert.equal(needsApproval({ kind: 'none' }, 'public'), false);
  assert.equal(approvalOutcome(two, [{ actor: 'a', decision: 'approve' }]), 'pending');
  assert.equal(
    approvalOutcome(two, [
      { actor: 'a', decision: 'approve' },
      { actor: 'a', decision: 'approve' },
    ]),
    'pending',
  );
  assert.equal(
    approvalOutcome(two, [
      { actor: 'a', decision: 'approve' },
      { actor: 'b', decision: 'approve' },
    ]),
    'approved',
  );
  assert.equal(
    approvalOutcome(two, [
      { actor: 'a', decision: 'approve' },
      { actor: 'b', decision: 'reject' },
    ]),
    'rejected',
  );
  assert.throws(() => assertNotAuthor('token:x', 'token:x'), { code: 'self_approval' });
  const holders = { comms_lead: 'carol@acme.example', incident_lead: null };
  assert.equal(
    approverRole(two, { id: 'token:carol@acme.example', role: 'responder' }, holders),
    'comms_lead',
  );
  assert.equal(approverRole(two, { id: 'token:dave', role: 'incident_lead' }, holders), 'incident_lead');
  assert.equal(approverRole(two, { id: 'token:dave', role: 'responder' }, holders), null);
});

test('a rota hands the role over turn by turn, round and round', () => {
  const rota = { people: ['a', 'b', 'c'], shiftMs: 86_400_000, start: '2026-01-05T09:00:00.000Z' };
  assert.equal(rotaHolder(rota, '2026-01-05T10:00:00.000Z'), 'a');
  assert.equal(rotaHolder(rota, '2026-01-06T09:00:00.000Z'), 'b');
  assert.equal(rotaHolder(rota, '2026-01-08T09:00:00.000Z'), 'a');
  assert.equal(rotaHolder(rota, '2026-01-04T10:00:00.000Z'), 'c');
  assert.equal(rotaHolder({ ...rota, shiftMs: null }, '2030-01-01T00:00:00.000Z'), 'a');
  assert.equal(rotaHolder({ ...rota, people: [] }, '2030-01-01T00:00:00.000Z'), null);
  fc.assert(
    fc.property(instant, (now) => {
      assert.ok(rota.people.includes(rotaHolder(rota, now) ?? ''));
    }),
  );
  assert.equal(isHolder('Carol@acme.example', 'token:carol@acme.example'), true);
  assert.equal(isHolder('carol@acme.example', 'token:carl@acme.example'), false);
});
