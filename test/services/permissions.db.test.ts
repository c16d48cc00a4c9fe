/**
 * Each role stays inside the role table whatever the path, checked in the
 * service verbs themselves (the HTTP matrix in test/http/route-matrix.http.test.ts
 * goes through the routes): resolving and moving components by drafts, posts
 * and the approval timeout; the component list; contacts, tokens, the audit
 * log and the plan's secrets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAudit } from '../../src/services/audit-log.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { deleteComponent } from '../../src/services/components/delete.ts';
import { getComponent } from '../../src/services/components/queries.ts';
import { reorderComponents } from '../../src/services/components/reorder.ts';
import { applyComponentStatus } from '../../src/services/components/set-status.ts';
import { updateComponent } from '../../src/services/components/update.ts';
import { createGroup } from '../../src/services/groups/groups.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { getIncident } from '../../src/services/incidents/queries.ts';
import { checkPlan, readCurrentPlan, readPlanVersions } from '../../src/services/plan/read.ts';
import { exportSubscribers } from '../../src/services/subscribers/csv.ts';
import {
  countSubscribers,
  getSubscriber,
  listDeliveries,
  listSubscribers,
} from '../../src/services/subscribers/queries.ts';
import { listTokens } from '../../src/services/tokens/tokens.ts';
import { withTransaction } from '../../src/services/transaction.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { createDraft } from '../../src/services/updates/create.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { submitDraft } from '../../src/services/updates/submit.ts';
import type { Db } from '../../src/store/db.ts';
import { confirmedSubscriber, eachDialect, TestClock, testCtx } from '../helpers/db.ts';
import { applyTestPlan, people, planConfig, sev1Plan } from '../helpers/plan.ts';

const forbidden = { code: 'forbidden' };
const page = { page: 1, per_page: 10 };

function team(db: Db) {
  const clock = new TestClock('2026-01-15T10:00:00.000Z');
  const sam = testCtx(db, {
    clock,
    config: planConfig(),
    actor: 'token:sam@acme.example',
    role: 'support_lead',
  });
  return { clock, sam, ...people(db, clock) };
}

eachDialect(
  test,
  'with no approval to wait for, only who may resolve or move components can submit an update that does',
  async (db) => {
    const { admin, ivy, rita, sam } = team(db);
    await applyTestPlan(admin);
    const api = await createComponent(admin, { name: 'API', status: 'partial_outage' });
    const incident = await declareIncident(ivy, {
      name: 'Slow',
      severity: 'SEV3',
      body: 'Pages load slowly for everyone. Next update by 11:00 CET.',
    });
    const closing = 'Pages load quickly again for everyone.';
    for (const who of [sam, rita]) {
      // Drafting the words is theirs to do; making them take effect is not.
      const draft = await createDraft(who, incident.id, { status: 'resolved', body: closing });
      await assert.rejects(submitDraft(who, incident.id, draft.id), forbidden);
      await assert.rejects(postUpdate(who, incident.id, { status: 'resolved', body: closing }), forbidden);
      const view = await getIncident(db, incident.id);
      assert.equal(view.status, 'investigating', `${who.actor.role}: nothing resolved`);
      assert.equal(
        view.incident_updates.find((u) => u.id === draft.id)?.state,
        'draft',
        'the draft stays a draft',
      );
    }
    const move = {
      body: 'Pages load slowly for everyone. Next update by 11:30 CET.',
      components: { [api.id]: 'major_outage' as const },
    };
    await assert.rejects(postUpdate(sam, incident.id, move), forbidden);
    const samDraft = await createDraft(sam, incident.id, move);
    await assert.rejects(submitDraft(sam, incident.id, samDraft.id), forbidden);
    assert.equal(
      (await getComponent(db, api.id)).status,
      'partial_outage',
      'a support lead moves no component',
    );
    // Naming a component at the status it has moves nothing, so it asks nothing more.
    const same = await postUpdate(sam, incident.id, { ...move, components: { [api.id]: 'partial_outage' } });
    assert.equal(same.state, 'published');

    assert.equal((await postUpdate(rita, incident.id, move)).state, 'published', 'a responder sets statuses');
    assert.equal((await getComponent(db, api.id)).status, 'major_outage');
    const resolved = await submitDraft(
      ivy,
      incident.id,
      (await createDraft(ivy, incident.id, { status: 'resolved', body: closing })).id,
    );
    assert.equal(resolved.state, 'published');
    assert.equal((await getIncident(db, incident.id)).status, 'resolved');
  },
);

eachDialect(
  test,
  'under approval the approver makes it take effect; where the timeout would publish it, the submitter must be allowed',
  async (db) => {
    const { admin, ivy, carol, rita, sam } = team(db);
    await applyTestPlan(admin);
    // SEV1: the comms lead approves, and nothing goes out without them.
    const sev1 = await declareIncident(ivy, { name: 'Down', scenario: 'database-degraded' });
    const first = sev1.incident_updates[0];
    assert.ok(first);
    await approveUpdate(carol, sev1.id, first.id);
    const draft = await createDraft(sam, sev1.id, { status: 'resolved' });
    assert.equal(
      (await submitDraft(sam, sev1.id, draft.id)).state,
      'pending_approval',
      'a support lead may ask',
    );
    assert.equal((await getIncident(db, sev1.id)).status, 'investigating');
    assert.equal(
      (await approveUpdate(carol, sev1.id, draft.id)).state,
      'published',
      'the comms lead resolves',
    );
    assert.equal((await getIncident(db, sev1.id)).status, 'resolved');

    // SEV2: after ten minutes the plan publishes unapproved, as nobody in particular.
    const sev2 = await declareIncident(ivy, { name: 'Reports', scenario: 'slow-reports' });
    const resolving = await createDraft(rita, sev2.id, { status: 'resolved' });
    await assert.rejects(submitDraft(rita, sev2.id, resolving.id), forbidden);
    const timers = await db
      .selectFrom('outbox_jobs')
      .select('payload')
      .where('kind', '=', 'approval.timeout')
      .execute();
    assert.ok(!timers.some((j) => j.payload.includes(resolving.id)), 'no timer armed for it');
    assert.equal((await submitDraft(ivy, sev2.id, resolving.id)).state, 'pending_approval');
  },
);

eachDialect(test, 'a responder sets component statuses; the component list is the leads’', async (db) => {
  const { admin, ivy, rita, sam } = team(db);
  const api = await createComponent(ivy, { name: 'API' });
  const web = await createComponent(admin, { name: 'Web' });
  assert.equal(
    (await updateComponent(rita, api.id, { status: 'degraded_performance' })).status,
    'degraded_performance',
  );
  await assert.rejects(updateComponent(rita, api.id, { name: 'Renamed' }), forbidden);
  await assert.rejects(updateComponent(rita, api.id, { name: 'Renamed', status: 'major_outage' }), forbidden);
  await assert.rejects(updateComponent(rita, api.id, { description: 'x' }), forbidden);
  assert.deepEqual(
    [(await getComponent(db, api.id)).name, (await getComponent(db, api.id)).status],
    ['API', 'degraded_performance'],
    'all or nothing',
  );
  await assert.rejects(createComponent(rita, { name: 'New' }), forbidden);
  await assert.rejects(deleteComponent(rita, web.id), forbidden);
  await assert.rejects(reorderComponents(rita, { component_ids: [web.id, api.id] }), forbidden);
  await assert.rejects(createGroup(rita, { name: 'Core', components: [api.id] }), forbidden);
  await assert.rejects(updateComponent(sam, api.id, { status: 'operational' }), forbidden);
  // The building block every path that moves a component goes through refuses too.
  const current = await db
    .selectFrom('components')
    .selectAll()
    .where('id', '=', api.id)
    .executeTakeFirstOrThrow();
  await assert.rejects(
    withTransaction(sam, (tx) => applyComponentStatus(tx, current, 'operational')),
    forbidden,
  );
  assert.equal((await getComponent(db, api.id)).status, 'degraded_performance');
});

eachDialect(
  test,
  'contacts, tokens and the audit log are read only by those the role table names',
  async (db) => {
    const { admin, ivy, carol, rita, sam } = team(db);
    const row = confirmedSubscriber('email', 'reader@example.com');
    await db.insertInto('subscribers').values(row).execute();
    const viewer = testCtx(db, { role: 'viewer' });
    for (const who of [ivy, rita, viewer]) {
      await assert.rejects(listSubscribers(who, page), forbidden);
      await assert.rejects(getSubscriber(who, row.id), forbidden);
      await assert.rejects(listDeliveries(who, page), forbidden);
      // Refused before the first line, so an answer is never a download cut short.
      assert.throws(() => exportSubscribers(who), forbidden);
    }
    for (const who of [carol, sam, admin]) {
      assert.equal((await listSubscribers(who, page)).items[0]?.email, 'reader@example.com');
      assert.equal((await getSubscriber(who, row.id)).email, 'reader@example.com');
      let csv = '';
      for await (const line of exportSubscribers(who)) csv += line;
      assert.match(csv, /reader@example\.com/);
    }
    assert.deepEqual((await countSubscribers(db)).total, { confirmed: 1 }, 'counts are for every reader');
    for (const who of [ivy, carol, sam, rita, viewer]) await assert.rejects(listTokens(who), forbidden);
    assert.deepEqual(await listTokens(admin), [], 'no token yet, and the admin may list them');
    for (const who of [sam, rita, viewer]) await assert.rejects(listAudit(who, page), forbidden);
    for (const who of [ivy, carol, admin]) await listAudit(who, page);
  },
);

eachDialect(
  test,
  'the plan is read whole only by who may apply it; checking one is theirs too',
  async (db) => {
    const { admin, ivy, rita } = team(db);
    await applyTestPlan(admin);
    const whole = await readCurrentPlan(admin);
    assert.ok('source' in whole && whole.source.includes('env:TEST_SMTP_URL'));
    for (const who of [ivy, rita, testCtx(db, { role: 'viewer' })]) {
      const seen = await readCurrentPlan(who);
      assert.ok(!('source' in seen), `${who.actor.role}: no source file`);
      assert.doesNotMatch(
        JSON.stringify(seen),
        /twilio-token|hooks\.slack\.example|smtp:\/\//,
        'no channel settings',
      );
      const [version] = await readPlanVersions(who);
      assert.ok(version?.changes.every((c) => Object.keys(c).sort().join() === 'kind,path'));
      assert.throws(() => checkPlan(who, { source: 'version: 1' }), forbidden);
    }
    assert.equal(checkPlan(admin, { source: sev1Plan }).ok, true);
  },
);
