import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  type ApprovalPolicy,
  approvalOutcome,
  approverGroups,
  approverRole,
  defaultApprovalFallback,
  needsApproval,
} from '../../src/domain/approval.ts';
import { approvalEligibility } from '../../src/domain/approval-eligibility.ts';
import {
  adherence,
  type CadencePolicy,
  countPublish,
  dueAfterCadenceChange,
  nextDueAfterPublish,
  reminderStillDue,
  remindersFor,
} from '../../src/domain/cadence.ts';
import type { Role } from '../../src/domain/permissions.ts';
import { incidentRoles, isHolder, rotaHolder } from '../../src/domain/roles.ts';

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
    fallback: ['incident_lead', 'admin'],
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

test('approval can always be given by someone: an admin, at the latest as the last resort', () => {
  const person = fc.constantFrom('ann', 'bob', 'cat', 'dan');
  const group = fc.constantFrom(...approverGroups);
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.constantFrom(...incidentRoles), { minLength: 1 }),
      fc.integer({ min: 1, max: 3 }),
      fc.array(group, { maxLength: 4 }),
      fc.record({
        incident_lead: fc.option(person),
        comms_lead: fc.option(person),
        support_lead: fc.option(person),
      }),
      fc.array(
        person.map((p) => `token:${p}`),
        { maxLength: 4 },
      ),
      fc.array(
        person.map((p) => `token:${p}`),
        { maxLength: 4 },
      ),
      person,
      (roles, count, fallback, holders, admins, authors, me) => {
        const policy: ApprovalPolicy = {
          kind: 'roles',
          roles,
          count,
          publishUnapprovedAfterMs: null,
          fallback,
        };
        const people = { holders, admins, authors, approved: [] };
        const result = approvalEligibility(policy, { id: `token:${me}`, role: 'admin' }, people);
        const everyone = ['ann', 'bob', 'cat', 'dan'].map((p) =>
          approvalEligibility(policy, { id: `token:${p}`, role: 'admin' }, people),
        );
        // Some admin can decide; a named approver who did not write it always can, and never as the last resort.
        assert.ok(everyone.some((r) => r.ok));
        const holdsNamedRole = roles.some((r) => holders[r] === me);
        if (holdsNamedRole && !authors.includes(`token:${me}`)) {
          assert.ok(result.ok && result.eligibility.basis === 'approver');
        }
      },
    ),
  );
  const comms: ApprovalPolicy = {
    kind: 'roles',
    roles: ['comms_lead'],
    count: 1,
    publishUnapprovedAfterMs: null,
    fallback: defaultApprovalFallback,
  };
  const holders = { comms_lead: 'cleo', incident_lead: 'ben' };
  const ask = (id: string, role: Role, authors: string[]) =>
    approvalEligibility(comms, { id, role }, { holders, admins: ['token:root'], authors, approved: [] });
  assert.deepEqual(ask('token:ben', 'incident_lead', ['token:rita']), { ok: false, code: 'not_an_approver' });
  assert.equal(ask('token:ben', 'incident_lead', ['token:cleo']).ok, true);
  assert.deepEqual(ask('token:root', 'admin', ['token:cleo']), { ok: false, code: 'not_an_approver' });
  const admin = ask('token:root', 'admin', ['token:cleo', 'token:ben']);
  assert.ok(admin.ok && admin.eligibility.basis === 'fallback' && admin.eligibility.as === 'admin');
  const last = ask('token:root', 'admin', ['token:cleo', 'token:ben', 'token:root']);
  assert.ok(last.ok && last.eligibility.basis === 'last_resort');
  assert.deepEqual(ask('token:cleo', 'comms_lead', ['token:cleo']), { ok: false, code: 'self_approval' });
});
