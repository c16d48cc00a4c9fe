import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listAudit } from '../../src/services/audit-log.ts';
import { reminderNotice } from '../../src/services/cadence/reminders.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { getIncident } from '../../src/services/incidents/queries.ts';
import { resolveIncident } from '../../src/services/incidents/resolve.ts';
import { applyPlan, currentPlan, listPlanVersions } from '../../src/services/plan/current.ts';
import { listRoles, reassignRoles } from '../../src/services/plan/roles.ts';
import { publishUnapprovedIfStillPending } from '../../src/services/updates/approval-timeout.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { createDraft } from '../../src/services/updates/create.ts';
import { editDraft } from '../../src/services/updates/edit.ts';
import { postUpdate } from '../../src/services/updates/post.ts';
import { publishUpdate } from '../../src/services/updates/publish.ts';
import { rejectUpdate } from '../../src/services/updates/reject.ts';
import { submitDraft } from '../../src/services/updates/submit.ts';
import { buildSupportBrief, supportBriefText } from '../../src/services/updates/support-brief.ts';
import type { Db } from '../../src/store/db.ts';
import type { CadenceReminder, NoticeMessage } from '../../src/store/outbox.ts';
import { eachDialect, TestClock, testCtx } from '../helpers/db.ts';
import { applyTestPlan, people, planConfig, sev1Plan } from '../helpers/plan.ts';

const minutes = (n: number) => n * 60_000;

/** Notices to channels, a cadence reminder with the words it would send now (they are written when it goes off). */
async function notices(db: Db) {
  const jobs = await db
    .selectFrom('outbox_jobs')
    .selectAll()
    .where('kind', 'in', ['channel.notice', 'cadence.reminder'])
    .orderBy('run_at')
    .execute();
  const ctx = { db, config: planConfig() };
  return Promise.all(
    jobs.map(async (j) => {
      if (j.kind !== 'cadence.reminder') {
        return { ...j, payload: JSON.parse(j.payload) as { channel: string; message: NoticeMessage } };
      }
      const reminder = JSON.parse(j.payload) as CadenceReminder;
      const message = (await reminderNotice(ctx, reminder)) ?? { title: '', text: '' };
      return { ...j, payload: { channel: reminder.channel, message } };
    }),
  );
}

eachDialect(
  test,
  'applying a plan stores a version with who, when and the diff; an equal plan is no new version',
  async (db) => {
    const clock = new TestClock();
    const { admin, rita } = people(db, clock);
    await assert.rejects(applyPlan(rita, { source: sev1Plan }), { code: 'forbidden' });
    const first = await applyTestPlan(admin);
    assert.equal(first.unchanged, false);
    assert.equal(first.applied_by, 'token:admin@acme.example');
    assert.ok(first.changes.length > 0);
    const again = await applyTestPlan(admin);
    assert.equal(again.unchanged, true);
    assert.equal(again.version, first.version);
    clock.advance(60_000);
    const second = await applyTestPlan(
      admin,
      sev1Plan.replace('external_cadence: 30m', 'external_cadence: 20m'),
    );
    assert.deepEqual(
      second.changes.map((c) => `${c.kind} ${c.path} ${String(c.before)}→${String(c.after)}`),
      ['changed severities.SEV1.external_cadence 30m→20m'],
    );
    assert.deepEqual(
      (await listPlanVersions(db)).map((v) => v.version),
      [second.version, first.version],
    );
    await assert.rejects(
      applyTestPlan(admin, sev1Plan.replace('approval: comms_lead', 'approval: ceo')),
      (err: unknown) => {
        const e = err as { code: string; details: { problems: { path: string }[] } };
        assert.equal(e.code, 'plan_invalid');
        assert.ok(e.details.problems.some((p) => p.path === 'severities.SEV1.approval'));
        return true;
      },
    );
    const audit = await listAudit(testCtx(db), { page: 1, per_page: 10, action: 'plan.apply' });
    assert.equal(audit.total, 2);
  },
);

eachDialect(
  test,
  'a SEV1 draft from its scenario template waits for the comms lead, who rejects once and then approves',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy, carol, rita } = people(db, clock);
    await applyTestPlan(admin);
    const api = await createComponent(admin, { name: 'API' });

    const incident = await declareIncident(rita, {
      name: 'Database errors',
      scenario: 'database-degraded',
      components: { [api.id]: 'partial_outage' },
    });
    assert.equal(incident.severity, 'SEV1', 'the scenario gives the severity');
    assert.equal(incident.impact, 'major', 'and the impact, as a floor');
    assert.deepEqual(incident.roles, {
      incident_lead: 'ivy@acme.example',
      comms_lead: 'carol@acme.example',
      support_lead: 'sam@acme.example',
    });
    assert.equal(
      incident.next_update_due_at,
      '2026-01-15T10:15:00.000Z',
      'first external notice due 15 minutes after',
    );
    const first = incident.incident_updates[0];
    assert.ok(first);
    assert.equal(first.state, 'pending_approval');
    assert.match(
      first.body,
      /We are investigating errors in API\. Saving changes fails for some customers\.\nNext update by \{\{ next_update_at \}\}\./,
      'the draft keeps the placeholder: publication writes in the deadline it sets',
    );
    const apiNow = await db
      .selectFrom('components')
      .select('status')
      .where('id', '=', api.id)
      .executeTakeFirstOrThrow();
    assert.equal(apiNow.status, 'partial_outage', 'component statuses go live at once; the words wait');
    assert.equal(incident.first_external_at, null);

    const told = await notices(db);
    assert.ok(
      told.some(
        (n) =>
          n.payload.channel === 'slack-internal' &&
          /ivy@acme\.example: you are the incident lead/.test(n.payload.message.text),
      ),
    );
    assert.ok(
      told.some(
        (n) =>
          n.payload.channel === 'slack-support' &&
          /sam@acme\.example: you are the support lead/.test(n.payload.message.text),
      ),
    );
    assert.ok(
      told.some((n) => /Approval needed/.test(n.payload.message.title)),
      'approvers are told',
    );

    await assert.rejects(approveUpdate(rita, incident.id, first.id), { code: 'forbidden' });
    await assert.rejects(approveUpdate(ivy, incident.id, first.id), { code: 'not_an_approver' });
    const ritaAsComms = testCtx(db, {
      clock,
      config: planConfig(),
      actor: 'token:rita@acme.example',
      role: 'comms_lead',
    });
    await assert.rejects(approveUpdate(ritaAsComms, incident.id, first.id), { code: 'self_approval' });

    clock.advance(minutes(2));
    const rejected = await rejectUpdate(carol, incident.id, first.id, {
      comment: 'Say which customers: only EU.',
    });
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.decisions[0]?.comment, 'Say which customers: only EU.');
    await assert.rejects(publishUpdate(carol, incident.id, first.id), { code: 'approval_required' });

    const edited = await editDraft(rita, incident.id, first.id, {
      body: 'Saving changes fails for customers in the EU. We are working on it. Next update by 10:45 CET.',
    });
    assert.equal(edited.state, 'draft');
    const resubmitted = await submitDraft(rita, incident.id, first.id);
    assert.equal(resubmitted.state, 'pending_approval');
    assert.equal(resubmitted.round, 2);

    clock.advance(minutes(3));
    const published = await approveUpdate(carol, incident.id, first.id, { comment: 'Good.' });
    assert.equal(published.state, 'published');
    const after = await getIncident(db, incident.id);
    assert.equal(after.components[0]?.status, 'partial_outage');
    assert.equal(after.first_external_at, '2026-01-15T10:05:00.000Z');
    assert.equal(after.next_update_due_at, '2026-01-15T10:35:00.000Z', 'due 30 minutes after the publish');
    assert.deepEqual(after.cadence, { updates_due: 1, updates_on_time: 1, ratio: 1 });

    const fanout = (
      await db.selectFrom('outbox_jobs').selectAll().where('kind', '=', 'fanout').execute()
    ).filter((j) => (JSON.parse(j.payload) as { subject_type: string }).subject_type === 'incident_update');
    assert.equal(
      fanout.length,
      1,
      'published to subscribers through one fan-out (and component events for webhooks)',
    );
    const reminders = (await notices(db)).filter(
      (n) =>
        n.dedupe_key?.startsWith(`cadence:${incident.id}:`) &&
        n.state === 'pending' &&
        !n.dedupe_key.includes(':enterprise:'),
    );
    assert.deepEqual(
      reminders.map((r) => `${r.run_at} ${r.payload.channel}`),
      [
        '2026-01-15T10:30:00.000Z slack-internal',
        '2026-01-15T10:35:00.000Z slack-internal',
        '2026-01-15T10:40:00.000Z slack-internal',
      ],
    );
    assert.match(
      reminders[2]?.payload.message.text ?? '',
      /ivy@acme\.example \(incident lead\).*was due at 11:35 CET/,
    );
    const brief = (await notices(db)).find(
      (n) => n.payload.channel === 'slack-support' && /Support brief/.test(n.payload.message.title),
    );
    assert.match(
      brief?.payload.message.text ?? '',
      /Reply to customers:\nThank you for getting in touch\. Saving changes fails for customers in the EU/,
    );

    const actions = (await listAudit(testCtx(db), { page: 1, per_page: 50, subject_id: first.id })).items.map(
      (a) => a.action,
    );
    for (const a of [
      'incident_update.submit',
      'incident_update.reject',
      'incident_update.edit_draft',
      'incident_update.approve',
    ]) {
      assert.ok(actions.includes(a), `audited ${a}`);
    }
  },
);

eachDialect(
  test,
  'an external update with no impact or no next time is refused, unless the comms lead overrides with a reason',
  async (db) => {
    const clock = new TestClock();
    const { admin, carol, rita } = people(db, clock);
    await applyTestPlan(admin);
    const incident = await declareIncident(rita, {
      name: 'Slow',
      severity: 'SEV3',
      body: 'Pages load slowly for everyone. Next update by 11:00 CET.',
    });
    assert.equal(incident.incident_updates[0]?.state, 'published', 'SEV3 needs no approval');

    await assert.rejects(
      postUpdate(rita, incident.id, { body: 'We are still looking into it.' }),
      (err: unknown) => {
        const e = err as { code: string; message: string; details: { problems: { code: string }[] } };
        assert.equal(e.code, 'lint_failed');
        assert.match(e.message, /does not say what customers experience or when customers will hear next/);
        assert.deepEqual(e.details.problems.map((p) => p.code).sort(), [
          'missing_impact',
          'missing_next_update',
        ]);
        return true;
      },
    );
    await assert.rejects(
      postUpdate(rita, incident.id, { body: 'The pgmain cluster is slow. Next update by 12:00 CET.' }),
      { code: 'lint_failed' },
    );
    await assert.rejects(
      postUpdate(rita, incident.id, { body: 'Still looking.', lint_override: { reason: 'urgent' } }),
      { code: 'forbidden' },
    );
    const overridden = await postUpdate(carol, incident.id, {
      body: 'Still looking.',
      lint_override: { reason: 'Legal asked for this exact wording.' },
    });
    assert.equal(overridden.state, 'published');
    const audit = await listAudit(testCtx(db), { page: 1, per_page: 5, action: 'incident.update' });
    assert.match(JSON.stringify(audit.items), /Still looking/);
    const row = await db
      .selectFrom('incident_updates')
      .select('lint_override')
      .where('id', '=', overridden.id)
      .executeTakeFirstOrThrow();
    assert.match(row.lint_override ?? '', /Legal asked for this exact wording\..*carol@acme\.example/);

    const drafted = await createDraft(rita, incident.id, {
      body: 'Pages load slowly for customers in Europe. Next update by 11:30 CET.',
    });
    assert.equal(drafted.state, 'draft');
    assert.equal(
      (await submitDraft(rita, incident.id, drafted.id)).state,
      'published',
      'no approval at SEV3',
    );

    // SMS carries only the first and the resolving update, so only those are held to its length.
    const long = `Pages load slowly for everyone. Next update by 11:30 CET. ${'We are working on it. '.repeat(25)}`;
    assert.equal((await postUpdate(rita, incident.id, { body: long })).state, 'published');
    const longClosing = `Pages load quickly again for everyone. ${'We are working on it. '.repeat(25)}`;
    await assert.rejects(
      postUpdate(carol, incident.id, { status: 'resolved', body: longClosing }),
      (err: unknown) => {
        const e = err as { code: string; details: { problems: { code: string; channel?: string }[] } };
        assert.equal(e.code, 'lint_failed');
        assert.deepEqual(
          e.details.problems.map((p) => `${p.code}:${p.channel}`),
          ['too_long:sms'],
        );
        return true;
      },
    );

    const internal = await postUpdate(rita, incident.id, {
      body: 'pgmain failover at 10:02',
      audience: 'internal',
    });
    assert.equal(internal.state, 'published', 'internal updates are never linted or held');
    const view = await getIncident(db, incident.id);
    assert.equal(view.next_internal_update_due_at, null, 'SEV3 has no internal cadence');
    await assert.rejects(postUpdate(rita, incident.id, { body: 'x', audience: 'enterprise' }), {
      code: 'audience_not_found',
    });
    await assert.rejects(postUpdate(rita, incident.id, { body: 'x', audience: 'martians' }), {
      code: 'audience_not_found',
    });
  },
);

eachDialect(
  test,
  'two approvers are needed where the plan says so, and the timeout publishes unapproved, on the record',
  async (db) => {
    const clock = new TestClock();
    const { admin, ivy, carol, rita, olga } = people(db, clock);
    await applyTestPlan(admin);
    const incident = await declareIncident(rita, { name: 'Reports', scenario: 'slow-reports' });
    const draft = incident.incident_updates[0];
    assert.equal(draft?.state, 'pending_approval');
    assert.ok(draft);
    await editDraft(carol, incident.id, draft.id, {
      body: 'Reports load slowly, by up to a minute. Next update by 11:30 CET.',
    });
    await submitDraft(carol, incident.id, draft.id);
    await assert.rejects(approveUpdate(carol, incident.id, draft.id), { code: 'self_approval' });
    const one = await approveUpdate(ivy, incident.id, draft.id);
    assert.equal(one.state, 'pending_approval', 'one of two approvals');
    await assert.rejects(approveUpdate(ivy, incident.id, draft.id), { code: 'conflict' });
    const two = await approveUpdate(olga, incident.id, draft.id);
    assert.equal(two.state, 'published');
    assert.deepEqual(
      two.decisions.map((d) => [d.actor, d.as_role]),
      [
        ['token:ivy@acme.example', 'incident_lead'],
        ['token:olga@acme.example', 'incident_lead'],
      ],
    );

    const second = await createDraft(rita, incident.id, { status: 'resolved' });
    assert.equal(second.body, 'Reports load quickly again for all customers.');
    assert.equal(second.state, 'draft');
    // The timeout would send it without anyone's approval: a responder may not resolve that way.
    await assert.rejects(submitDraft(rita, incident.id, second.id), { code: 'forbidden' });
    const pending = await submitDraft(ivy, incident.id, second.id);
    assert.equal(pending.state, 'pending_approval');
    const timers = (
      await db
        .selectFrom('outbox_jobs')
        .selectAll()
        .where('kind', '=', 'approval.timeout')
        .orderBy('run_at')
        .execute()
    ).map((j) => ({
      run_at: j.run_at,
      payload: JSON.parse(j.payload) as { incident_id: string; update_id: string; round: number },
    }));
    assert.deepEqual(
      timers.map((j) => [j.payload.update_id, j.payload.round]),
      [
        [draft.id, 1],
        [draft.id, 2],
        [second.id, 1],
      ],
      'a timer per submission',
    );
    const [round1, , latest] = timers;
    assert.ok(round1 && latest);
    assert.equal(latest.run_at, new Date(Date.parse(pending.submitted_at ?? '') + minutes(10)).toISOString());
    assert.equal(
      await publishUnapprovedIfStillPending(admin, round1.payload),
      false,
      'an old round does nothing',
    );
    clock.advance(minutes(10));
    assert.equal(await publishUnapprovedIfStillPending(admin, latest.payload), true);
    const row = await db
      .selectFrom('incident_updates')
      .selectAll()
      .where('id', '=', second.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.state, 'published');
    assert.equal(row.published_unapproved, 1);
    const resolved = await getIncident(db, incident.id);
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.next_update_due_at, null);
    const audit = await listAudit(testCtx(db), {
      page: 1,
      per_page: 5,
      action: 'incident_update.publish_unapproved',
    });
    assert.equal(audit.total, 1);
  },
);

eachDialect(
  test,
  'roles come from the plan or the declarer, are reassigned with a notice, and the support brief has what support needs',
  async (db) => {
    const clock = new TestClock();
    const { admin, ivy, rita } = people(db, clock);
    const noPlan = await declareIncident(rita, { name: 'Before any plan' });
    assert.deepEqual(noPlan.roles, {
      incident_lead: 'rita@acme.example',
      comms_lead: 'rita@acme.example',
      support_lead: 'rita@acme.example',
    });

    await applyTestPlan(admin);
    const incident = await declareIncident(rita, {
      name: 'Slow',
      severity: 'SEV3',
      body: 'Pages load slowly for everyone. Next update by 11:00 CET.',
      eta: '2026-01-15T12:00:00Z',
    });
    await assert.rejects(reassignRoles(rita, incident.id, { comms_lead: 'x@acme.example' }), {
      code: 'forbidden',
    });
    const roles = await reassignRoles(ivy, incident.id, { comms_lead: 'dora@acme.example' });
    assert.equal(roles.find((r) => r.role === 'comms_lead')?.holder, 'dora@acme.example');
    assert.equal(
      (await listRoles(db, incident.id)).find((r) => r.role === 'comms_lead')?.assigned_by,
      'token:ivy@acme.example',
    );
    assert.ok(
      (await notices(db)).some((n) =>
        /dora@acme\.example: you are the communications lead/.test(n.payload.message.text),
      ),
    );

    await postUpdate(rita, incident.id, { body: 'Escalated to the storage team.', audience: 'internal' });
    const brief = await buildSupportBrief(
      { db, clock, config: planConfig() },
      db,
      incident.id,
      await currentPlan(db),
    );
    assert.match(brief.reply ?? '', /^Thank you for getting in touch\. Pages load slowly for everyone\./);
    assert.equal(brief.eta_text, '13:00 CET');
    assert.equal(brief.roles.comms_lead, 'dora@acme.example');
    assert.equal(brief.internal_notes[0]?.body, 'Escalated to the storage team.');
    const text = supportBriefText(brief);
    assert.match(text, /Expected fix: 13:00 CET/);
    assert.match(text, /Internal notes \(do not share\):/);

    const resolved = await resolveIncident(ivy, incident.id, {
      body: 'Pages load quickly again for everyone.',
    });
    assert.equal(resolved.status, 'resolved');
  },
);

eachDialect(
  test,
  'the internal cadence runs from the declaration and each internal update: the incident lead hears when the next is due',
  async (db) => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const { admin, ivy, carol } = people(db, clock);
    await applyTestPlan(admin);
    const incident = await declareIncident(ivy, { name: 'Queue backlog', severity: 'SEV1' });
    // The internal cadence runs from the declaration, before any internal update.
    assert.equal(incident.next_internal_update_due_at, '2026-01-15T10:15:00.000Z');
    const armed = (await notices(db)).filter((n) =>
      n.dedupe_key?.startsWith(`cadence-internal:${incident.id}:`),
    );
    assert.deepEqual(
      armed.map((n) => n.run_at),
      ['2026-01-15T10:15:00.000Z'],
    );
    clock.advance(minutes(2));
    await postUpdate(ivy, incident.id, {
      body: 'Workers are restarting; backlog draining.',
      audience: 'internal',
    });
    const after = await getIncident(db, incident.id);
    assert.equal(
      after.next_internal_update_due_at,
      '2026-01-15T10:17:00.000Z',
      '15 minutes after the internal update',
    );
    const internal = (await notices(db)).filter((n) =>
      n.dedupe_key?.startsWith(`cadence-internal:${incident.id}:`),
    );
    assert.equal(internal.length, 1);
    assert.equal(internal[0]?.run_at, '2026-01-15T10:17:00.000Z');
    assert.match(
      internal[0]?.payload.message.text ?? '',
      /ivy@acme\.example \(incident lead\): the internal update/i,
    );

    clock.advance(minutes(5));
    await postUpdate(ivy, incident.id, { body: 'Backlog at half.', audience: 'internal' });
    const moved = (await notices(db)).filter(
      (n) => n.dedupe_key?.startsWith(`cadence-internal:${incident.id}:`) && n.state === 'pending',
    );
    assert.deepEqual(
      moved.map((n) => n.run_at),
      ['2026-01-15T10:22:00.000Z'],
      'one reminder, moved to the new deadline',
    );

    // Resolved by an external update (held for the comms lead's approval, as SEV1 wants).
    const resolving = await resolveIncident(ivy, incident.id, {
      body: 'The backlog is gone; your jobs run on time again.',
    });
    const draft = resolving.incident_updates.find((u) => u.state === 'pending_approval');
    assert.ok(draft);
    await approveUpdate(carol, incident.id, draft.id);
    const closed = await getIncident(db, incident.id);
    assert.equal(closed.status, 'resolved');
    assert.equal(closed.next_internal_update_due_at, null);
    const left = (await notices(db)).filter(
      (n) => n.dedupe_key?.startsWith(`cadence-internal:${incident.id}:`) && n.state === 'pending',
    );
    assert.deepEqual(left, [], 'resolved: no internal reminder is left to go off');
  },
);
