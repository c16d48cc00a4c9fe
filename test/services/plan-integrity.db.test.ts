/**
 * The approval gate holds on every path around it: the severity that decides
 * who approves, edits that change anything but the body, corrections to
 * published text, and the support brief's ready reply.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAudit } from '../../src/services/audit-log.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { editIncident } from '../../src/services/incidents/edit.ts';
import { currentPlan } from '../../src/services/plan/current.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { correctUpdate } from '../../src/services/updates/correct.ts';
import { createDraft } from '../../src/services/updates/create.ts';
import { type EditDraftInput, editDraft } from '../../src/services/updates/edit.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { listUpdateEdits } from '../../src/services/updates/rows.ts';
import { submitDraft } from '../../src/services/updates/submit.ts';
import { buildSupportBrief, supportBriefText } from '../../src/services/updates/support-brief.ts';
import type { Db } from '../../src/store/db.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';
import { applyTestPlan, people, planConfig } from '../helpers/plan.ts';

const minutes = (n: number) => n * 60_000;
const good = 'Saving changes fails for customers in the EU. Next update by 10:45 CET.';

/** The pending reminders of one audience's deadline (public by default). */
async function pendingReminders(db: Db, incidentId: string, audience = 'public') {
  const jobs = await db
    .selectFrom('outbox_jobs')
    .select(['run_at', 'payload'])
    .where('kind', '=', 'cadence.reminder')
    .where('state', '=', 'pending')
    .where('dedupe_key', 'like', `cadence:${incidentId}:%`)
    .orderBy('run_at')
    .execute();
  return jobs
    .filter((j) => (JSON.parse(j.payload) as { external_audience?: string }).external_audience === audience)
    .map((j) => j.run_at);
}

eachDialect(
  test,
  'the severity is one the plan defines, only an approver may change it away from approval, and the cadence follows it',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy, carol, rita } = people(db, clock);
    const before = await declareIncident(rita, { name: 'No plan yet' });
    const free = await editIncident(rita, before.id, { severity: 'anything' });
    assert.equal(free.severity, 'anything', 'without a plan a severity is only a label');

    await applyTestPlan(admin);
    const incident = await declareIncident(rita, { name: 'Saving fails', severity: 'SEV1', body: good });
    const first = incident.incident_updates[0];
    assert.equal(first?.state, 'pending_approval');
    assert.ok(first);

    await assert.rejects(editIncident(rita, incident.id, { severity: 'NOPE' }), (err: unknown) => {
      const e = err as { code: string; details: { path: string; message: string }[] };
      assert.equal(e.code, 'validation_failed');
      assert.deepEqual(e.details, [{ path: 'severity', message: 'one of: SEV1, SEV2, SEV3' }]);
      return true;
    });
    await assert.rejects(editIncident(rita, incident.id, { severity: 'SEV3' }), { code: 'forbidden' });
    await assert.rejects(editIncident(ivy, incident.id, { severity: 'SEV3' }), {
      code: 'not_an_approver',
      message: /only an approver named by the plan for SEV1/,
    });
    await assert.rejects(editIncident(admin, incident.id, { severity: null }), { code: 'not_an_approver' });
    assert.equal(
      (await editIncident(rita, incident.id, { name: 'Saving fails in the EU' })).severity,
      'SEV1',
    );
    clock.advance(minutes(5));
    await approveUpdate(carol, incident.id, first.id);
    assert.deepEqual(await pendingReminders(db, incident.id), [
      '2026-01-15T10:30:00.000Z',
      '2026-01-15T10:35:00.000Z',
      '2026-01-15T10:40:00.000Z',
    ]);
    assert.deepEqual(
      await pendingReminders(db, incident.id, 'enterprise'),
      ['2026-01-15T10:10:00.000Z', '2026-01-15T10:15:00.000Z', '2026-01-15T10:20:00.000Z'],
      'the public update does not answer the enterprise customers’ first notice',
    );

    clock.advance(minutes(5));
    const calmer = await editIncident(carol, incident.id, { severity: 'SEV3' });
    assert.equal(calmer.severity, 'SEV3', 'the comms lead approves at SEV1, so may lower it');
    assert.equal(calmer.next_update_due_at, '2026-01-15T12:05:00.000Z', 'SEV3 cadence from the last publish');
    assert.equal(calmer.next_internal_update_due_at, null, 'SEV3 has no internal cadence');
    assert.deepEqual(await pendingReminders(db, incident.id), [
      '2026-01-15T12:00:00.000Z',
      '2026-01-15T12:05:00.000Z',
      '2026-01-15T12:10:00.000Z',
    ]);
    assert.deepEqual(
      await pendingReminders(db, incident.id, 'enterprise'),
      [],
      'SEV3 does not speak to enterprise',
    );
    await assert.rejects(editIncident(carol, incident.id, { severity: 'SEV9' }), {
      code: 'validation_failed',
    });

    clock.advance(minutes(5));
    const raised = await editIncident(rita, incident.id, { severity: 'SEV1' });
    assert.equal(
      raised.severity,
      'SEV1',
      'raising from a severity without approval adds approval: anyone may',
    );
    assert.equal(raised.next_update_due_at, '2026-01-15T10:35:00.000Z');
    assert.equal(
      raised.next_internal_update_due_at,
      '2026-01-15T10:15:00.000Z',
      'SEV1 internal cadence from the declaration, no internal update yet',
    );
    assert.deepEqual(await pendingReminders(db, incident.id), [
      '2026-01-15T10:30:00.000Z',
      '2026-01-15T10:35:00.000Z',
      '2026-01-15T10:40:00.000Z',
    ]);
    const audit = await listAudit(testCtx(db), {
      page: 1,
      per_page: 10,
      action: 'incident.edit',
      subject_id: incident.id,
    });
    assert.ok(audit.items.some((a) => JSON.stringify(a).includes('"severity":"SEV3"')));
  },
);

eachDialect(
  test,
  'whoever changes a variant, the status, the audience or the components of a draft cannot approve it',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, carol, rita } = people(db, clock);
    await applyTestPlan(admin);
    const api = await createComponent(admin, { name: 'API' });
    const incident = await declareIncident(rita, { name: 'Saving fails', severity: 'SEV1', body: good });

    const changes: Record<string, EditDraftInput> = {
      variants: { variants: { sms: 'Acme: saving changes fails in the EU. Next update by 10:45 CET.' } },
      status: { status: 'identified' },
      audience: { audience: 'enterprise' },
      components: { components: { [api.id]: 'partial_outage' } },
    };
    for (const [what, change] of Object.entries(changes)) {
      const draft = await createDraft(rita, incident.id, { body: good });
      await editDraft(carol, incident.id, draft.id, change);
      assert.equal((await submitDraft(rita, incident.id, draft.id)).state, 'pending_approval');
      await assert.rejects(approveUpdate(carol, incident.id, draft.id), { code: 'self_approval' }, what);
      const edits = await listUpdateEdits(db, draft.id);
      assert.deepEqual(
        edits.map((e) => e.actor),
        ['token:carol@acme.example'],
        `${what}: the edit is on the record`,
      );
    }

    const untouched = await createDraft(rita, incident.id, { body: good });
    await editDraft(carol, incident.id, untouched.id, { body: good, status: 'investigating' });
    await submitDraft(rita, incident.id, untouched.id);
    assert.equal(
      (await approveUpdate(carol, incident.id, untouched.id)).state,
      'published',
      'an edit that changes nothing makes nobody an author',
    );
  },
);

eachDialect(
  test,
  'a published update is corrected only with words that pass lint, by an approver where the plan asks for approval',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy, carol, rita, olga } = people(db, clock);
    await applyTestPlan(admin);
    const sev1 = await declareIncident(rita, { name: 'Saving fails', severity: 'SEV1', body: good });
    const first = sev1.incident_updates[0];
    assert.ok(first);
    clock.advance(minutes(2));
    await approveUpdate(carol, sev1.id, first.id);

    await assert.rejects(correctUpdate(rita, sev1.id, first.id, { body: good }), { code: 'forbidden' });
    await assert.rejects(correctUpdate(ivy, sev1.id, first.id, { body: 'Anything at all.' }), {
      code: 'not_an_approver',
      message: /only an approver it names may correct a published one/,
    });
    await assert.rejects(
      correctUpdate(carol, sev1.id, first.id, { body: 'Some users may experience issues.' }),
      { code: 'lint_failed' },
    );
    const overridden = await correctUpdate(carol, sev1.id, first.id, {
      body: 'Saving changes is failing.',
      lint_override: { reason: 'Legal asked for this exact wording.' },
    });
    assert.equal(overridden.body, 'Saving changes is failing.');
    const corrected = await correctUpdate(carol, sev1.id, first.id, {
      body: 'Saving changes fails for customers in Europe. Next update by 10:45 CET.',
    });
    assert.equal(corrected.state, 'published');
    assert.deepEqual(
      (await listUpdateEdits(db, first.id)).map((e) => e.new_body),
      [
        'Saving changes is failing.',
        'Saving changes fails for customers in Europe. Next update by 10:45 CET.',
      ],
      'every correction is kept',
    );
    const audit = await listAudit(testCtx(db), {
      page: 1,
      per_page: 5,
      action: 'incident_update.edit',
      subject_id: first.id,
    });
    assert.match(JSON.stringify(audit.items), /"approved_as":"comms_lead"/);
    assert.match(JSON.stringify(audit.items), /Legal asked for this exact wording/);

    const sev2 = await declareIncident(rita, { name: 'Reports', scenario: 'slow-reports' });
    const report = sev2.incident_updates[0];
    assert.ok(report);
    await approveUpdate(ivy, sev2.id, report.id);
    assert.equal((await approveUpdate(olga, sev2.id, report.id)).state, 'published');
    await assert.rejects(
      correctUpdate(ivy, sev2.id, report.id, {
        body: 'Reports load slowly. Next update by 11:30 CET.',
      }),
      { code: 'approval_required', message: /needs 2 approvers/ },
    );

    const sev3 = await declareIncident(rita, {
      name: 'Slow',
      severity: 'SEV3',
      body: 'Pages load slowly for everyone. Next update by 11:00 CET.',
    });
    const slow = sev3.incident_updates[0];
    assert.ok(slow);
    await assert.rejects(correctUpdate(ivy, sev3.id, slow.id, { body: 'The pgmain cluster is slow.' }), {
      code: 'lint_failed',
    });
    const fixed = await correctUpdate(ivy, sev3.id, slow.id, {
      body: 'Pages load slowly for customers in Europe. Next update by 11:00 CET.',
    });
    assert.match(fixed.body, /customers in Europe/, 'no approval at SEV3: the incident lead corrects it');
    const note = await postUpdate(rita, sev3.id, { body: 'pgmain failover at 10:02', audience: 'internal' });
    const noted = await correctUpdate(ivy, sev3.id, note.id, { body: 'pgmain failover at 10:03' });
    assert.equal(noted.body, 'pgmain failover at 10:03', 'internal notes are never linted');
  },
);

eachDialect(
  test,
  'the support brief replies with the public wording, and another audience’s only when nothing is public, saying so',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, carol, rita } = people(db, clock);
    await applyTestPlan(admin);
    const brief = async (id: string) =>
      buildSupportBrief({ db, clock, config: planConfig() }, db, id, await currentPlan(db));
    const incident = await declareIncident(rita, { name: 'Saving fails', severity: 'SEV1', body: good });
    const first = incident.incident_updates[0];
    assert.ok(first);
    const enterprise = (body: string) => postUpdate(rita, incident.id, { audience: 'enterprise', body });

    const privately = await enterprise(
      'Saving changes fails for your EU workspace on contract 4711. Next update by 10:45 CET.',
    );
    clock.advance(minutes(1));
    await approveUpdate(carol, incident.id, privately.id);
    const onlyPrivate = await brief(incident.id);
    assert.match(onlyPrivate.reply ?? '', /contract 4711/, 'nothing public yet');
    assert.equal(onlyPrivate.latest_external?.audience, 'enterprise');
    assert.match(
      supportBriefText(onlyPrivate),
      /Reply to customers \(enterprise wording, nothing public yet/,
    );

    clock.advance(minutes(1));
    await approveUpdate(carol, incident.id, first.id);
    clock.advance(minutes(1));
    const later = await enterprise('Saving changes fails for contract 4711 only. Next update by 10:50 CET.');
    clock.advance(minutes(1));
    await approveUpdate(carol, incident.id, later.id);

    const shown = await brief(incident.id);
    assert.match(
      shown.reply ?? '',
      /^Thank you for getting in touch\. Saving changes fails for customers in the EU\./,
    );
    assert.doesNotMatch(shown.reply ?? '', /4711/, 'private wording never becomes the ready reply');
    assert.equal(shown.latest_external?.audience, 'public');
    assert.match(supportBriefText(shown), /\nReply to customers:\n/);
  },
);
