/**
 * The update lifecycle's newer verbs and fields: a draft discarded on the
 * record (never a published update), an ETA carried by a draft until it is
 * published, a resolution in the scenario's words, and cadence reminders
 * whose words are written when they go off.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAudit } from '../../src/services/audit-log.ts';
import { reminderNotice } from '../../src/services/cadence/reminders.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { getIncident } from '../../src/services/incidents/queries.ts';
import { resolveIncident } from '../../src/services/incidents/resolve.ts';
import { reassignRoles } from '../../src/services/plan/roles.ts';
import { publishUnapprovedIfStillPending } from '../../src/services/updates/approval-timeout.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { createDraft } from '../../src/services/updates/create.ts';
import { discardDraft } from '../../src/services/updates/discard.ts';
import { editDraft } from '../../src/services/updates/edit.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { submitDraft } from '../../src/services/updates/submit.ts';
import type { Db } from '../../src/store/db.ts';
import type { CadenceReminder } from '../../src/store/outbox.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';
import { applyTestPlan, people, planConfig } from '../helpers/plan.ts';

const minutes = (n: number) => n * 60_000;

async function jobsOf(db: Db, kind: string) {
  return db.selectFrom('outbox_jobs').selectAll().where('kind', '=', kind).orderBy('run_at').execute();
}

eachDialect(
  test,
  'a draft is discarded on the record, its approval timer with it; a published update cannot be',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy, carol, rita } = people(db, clock);
    await applyTestPlan(admin);
    const incident = await declareIncident(ivy, {
      name: 'Slow reports',
      scenario: 'slow-reports',
      body: 'Reports load slowly for every customer. Next update by 11:30 CET.',
    });
    const pending = incident.incident_updates[0];
    assert.equal(pending?.state, 'pending_approval', 'SEV2 needs two approvers');
    const [timer] = await jobsOf(db, 'approval.timeout');
    assert.equal(timer?.state, 'pending');

    const viewer = testCtx(db, { clock, config: planConfig(), role: 'viewer' });
    await assert.rejects(discardDraft(viewer, incident.id, pending.id), { code: 'forbidden' });
    await assert.rejects(discardDraft(ivy, incident.id, 'no-such-update'), { code: 'update_not_found' });

    await discardDraft(rita, incident.id, pending.id);
    const after = await getIncident(db, incident.id);
    assert.deepEqual(after.incident_updates, [], 'the draft is gone from the timeline');
    const [cancelled] = await jobsOf(db, 'approval.timeout');
    assert.equal(cancelled?.state, 'cancelled', 'nobody waits on its approval any more');
    const payload = JSON.parse(cancelled?.payload ?? '{}') as {
      incident_id: string;
      update_id: string;
      round: number;
    };
    assert.equal(
      await publishUnapprovedIfStillPending(admin, payload),
      false,
      'a late timer finds nothing to do',
    );
    const discarded = await listAudit(testCtx(db), {
      page: 1,
      per_page: 5,
      action: 'incident_update.discard',
    });
    assert.equal(discarded.total, 1);
    assert.equal(discarded.items[0]?.actor, 'token:rita@acme.example');
    const before = discarded.items[0]?.before as { state: string; body: string } | undefined;
    assert.deepEqual(
      { state: before?.state, body: before?.body },
      {
        state: 'pending_approval',
        body: 'Reports load slowly for every customer. Next update by 11:30 CET.',
      },
      'the record keeps what it said',
    );

    const draft = await createDraft(rita, incident.id, {
      body: 'Reports load slowly for every customer. Next update by 11:45 CET.',
    });
    await submitDraft(rita, incident.id, draft.id);
    await approveUpdate(carol, incident.id, draft.id);
    const published = await approveUpdate(ivy, incident.id, draft.id);
    assert.equal(published.state, 'published');
    await assert.rejects(discardDraft(ivy, incident.id, draft.id), { code: 'transition_not_allowed' });
    const still = await getIncident(db, incident.id);
    assert.deepEqual(
      still.incident_updates.map((u) => u.id),
      [draft.id],
      'the published update stays',
    );
  },
);

eachDialect(test, 'a draft carries an ETA until it is published, as the incident takes one', async (db) => {
  const clock = new TestClock('2026-01-15T10:00:00.000Z');
  const { admin, ivy } = people(db, clock);
  await applyTestPlan(admin);
  const incident = await declareIncident(ivy, {
    name: 'Queue backlog',
    severity: 'SEV3',
    body: 'Exports are delayed for every customer. Next update by 13:00 CET.',
  });
  assert.equal(incident.eta, null);

  const draft = await createDraft(ivy, incident.id, {
    status: 'identified',
    body: 'Exports are delayed; we found the cause. Next update by 13:00 CET.',
    eta: '2026-01-15T13:00:00+01:00',
  });
  assert.equal(draft.eta, '2026-01-15T12:00:00.000Z', 'kept on the draft, in UTC');
  assert.equal((await getIncident(db, incident.id)).eta, null, 'nothing changes before publication');

  const edited = await editDraft(ivy, incident.id, draft.id, { eta: '2026-01-15T12:30:00.000Z' });
  assert.equal(edited.eta, '2026-01-15T12:30:00.000Z');
  const published = await submitDraft(ivy, incident.id, draft.id);
  assert.equal(published.state, 'published');
  assert.equal((await getIncident(db, incident.id)).eta, '2026-01-15T12:30:00.000Z');

  const cleared = await createDraft(ivy, incident.id, {
    body: 'Exports are delayed; the fix takes longer. Next update by 13:30 CET.',
    eta: null,
  });
  assert.equal(cleared.eta, null);
  await submitDraft(ivy, incident.id, cleared.id);
  assert.equal((await getIncident(db, incident.id)).eta, null, 'null clears it');

  const kept = await createDraft(ivy, incident.id, {
    body: 'Exports are delayed; still working on it. Next update by 14:00 CET.',
  });
  assert.equal('eta' in kept, false, 'no ETA given: the incident keeps its own');
  await postUpdate(ivy, incident.id, {
    body: 'Exports are delayed; a fix is rolling out. Next update by 14:00 CET.',
    eta: '2026-01-15T13:15:00Z',
  });
  assert.equal((await getIncident(db, incident.id)).eta, '2026-01-15T13:15:00.000Z', 'a direct post too');
  await assert.rejects(createDraft(ivy, incident.id, { body: 'x', eta: 'tomorrow' }), {
    name: 'ZodError',
  });
});

eachDialect(
  test,
  'resolving without words says what the scenario has ready for resolved; words given win',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy } = people(db, clock);
    await applyTestPlan(admin);
    const api = await createComponent(admin, { name: 'API' });
    const incident = await declareIncident(ivy, {
      name: 'Saving fails',
      scenario: 'database-degraded',
      severity: 'SEV3',
      components: { [api.id]: 'major_outage' },
      body: 'Saving changes fails for every customer. Next update by 11:30 CET.',
    });
    assert.equal(incident.incident_updates[0]?.state, 'published');
    clock.advance(minutes(1));
    const resolved = await resolveIncident(ivy, incident.id);
    assert.equal(resolved.status, 'resolved');
    assert.equal(
      resolved.incident_updates[0]?.body,
      'Saving changes works normally again for all customers. We are sorry for the trouble.',
    );
    assert.equal(resolved.components[0]?.status, 'operational');

    const plain = await declareIncident(ivy, {
      name: 'Something',
      severity: 'SEV3',
      body: 'Exports are delayed for every customer. Next update by 11:30 CET.',
    });
    clock.advance(minutes(1));
    const words = await resolveIncident(ivy, plain.id, { body: 'Exports run on time again for everyone.' });
    assert.equal(
      words.incident_updates[0]?.body,
      'Exports run on time again for everyone.',
      'words given win',
    );
  },
);

eachDialect(test, 'with no plan, a resolution without words says a generic line', async (db) => {
  const clock = new TestClock();
  const ctx = testCtx(db, { clock });
  const incident = await declareIncident(ctx, { name: 'Outage', body: 'Logins fail.' });
  clock.advance(minutes(1));
  const resolved = await resolveIncident(ctx, incident.id);
  assert.equal(resolved.incident_updates[0]?.body, 'This incident has been resolved.');
});

eachDialect(
  test,
  'a cadence reminder is written when it goes off: it names the holder then, and says nothing once its deadline moved',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy, carol } = people(db, clock);
    await applyTestPlan(admin);
    const incident = await declareIncident(ivy, {
      name: 'Saving fails',
      scenario: 'database-degraded',
    });
    const armed = async () =>
      (await jobsOf(db, 'cadence.reminder'))
        .filter((j) => j.state === 'pending' && j.dedupe_key?.startsWith(`cadence:${incident.id}:due:`))
        .map((j) => JSON.parse(j.payload) as CadenceReminder);
    const [due] = await armed();
    assert.ok(due);
    assert.equal(due.due_at, '2026-01-15T10:15:00.000Z');
    const ctx = { db, config: planConfig() };
    assert.match(
      (await reminderNotice(ctx, due))?.text ?? '',
      /^carol@acme\.example .*due now \(11:15 CET\)/,
    );

    await reassignRoles(admin, incident.id, { comms_lead: 'dora@acme.example' });
    assert.match(
      (await reminderNotice(ctx, due))?.text ?? '',
      /^dora@acme\.example \(communications lead\)/,
      'the holder when it goes off, not when it was armed',
    );

    clock.advance(minutes(5));
    const first = incident.incident_updates[0];
    assert.ok(first);
    await approveUpdate(carol, incident.id, first.id);
    assert.equal(
      await reminderNotice(ctx, due),
      null,
      'the deadline moved on: the old reminder says nothing',
    );
    const [moved] = await armed();
    assert.equal(moved?.due_at, '2026-01-15T10:35:00.000Z', 're-armed for the new deadline');
    assert.ok(moved && (await reminderNotice(ctx, moved)));
  },
);
