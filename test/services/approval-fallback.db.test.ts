/**
 * Approval can always be given by someone: with the one-person comms rota
 * of examples/small-saas.yaml, the comms lead edits the SEV1 draft and the
 * incident lead approves it as the plan's fallback, without reassigning
 * anyone; when everyone the plan names wrote it, an admin approves as the
 * last resort with a written reason, flagged on the incident. Every
 * decision says why its maker could decide; the approval request carries
 * the text per channel, its authors and how to decide; a rejection reaches
 * the authors with its comment. And component statuses, facts, go live at
 * once while the words wait, unless the plan holds them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { Role } from '../../src/domain/permissions.ts';
import { listAudit } from '../../src/services/audit-log.ts';
import { createComponent } from '../../src/services/components/create.ts';
import type { Ctx } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { getIncident } from '../../src/services/incidents/queries.ts';
import { currentPageStatus } from '../../src/services/page-status.ts';
import { applyPlan } from '../../src/services/plan/current.ts';
import { approveUpdate } from '../../src/services/updates/approve.ts';
import { editDraft } from '../../src/services/updates/edit.ts';
import { rejectUpdate } from '../../src/services/updates/reject.ts';
import { submitDraft } from '../../src/services/updates/submit.ts';
import type { Db } from '../../src/store/db.ts';
import type { NoticeMessage } from '../../src/store/outbox.ts';
import { eachDialect, TestClock, testConfig, testCtx } from '../helpers/db.ts';

const smallSaas = readFileSync(new URL('../../examples/small-saas.yaml', import.meta.url), 'utf8');
const config = testConfig({
  SMTP_URL: 'smtp://127.0.0.1:2525',
  SLACK_INTERNAL_WEBHOOK: 'https://hooks.slack.example/internal',
  SLACK_SUPPORT_WEBHOOK: 'https://hooks.slack.example/support',
  CRIER_PUBLIC_URL: 'https://status.tasklane.example',
});

function team(db: Db) {
  // 2026-01-15 is in the second week of the incident lead rota: ben's turn.
  const clock = new TestClock('2026-01-15T10:00:00.000Z');
  const as = (who: string, role: Role): Ctx =>
    testCtx(db, { clock, config, actor: `token:${who}@tasklane.example`, role });
  return {
    clock,
    admin: as('root', 'admin'),
    ben: as('ben', 'incident_lead'),
    cleo: as('cleo', 'comms_lead'),
    rita: as('rita', 'responder'),
  };
}

async function internalNotices(db: Db): Promise<NoticeMessage[]> {
  const jobs = await db
    .selectFrom('outbox_jobs')
    .select('payload')
    .where('kind', '=', 'channel.notice')
    .orderBy('id')
    .execute();
  return jobs
    .map((j) => JSON.parse(j.payload) as { channel: string; message: NoticeMessage })
    .filter((p) => p.channel === 'slack-internal')
    .map((p) => p.message);
}

const edited =
  'You cannot open Tasklane or save changes in Europe. We are working on it now.\nNext update by {{ next_update_at }}.';

eachDialect(
  test,
  'one comms lead edits the SEV1 draft: the incident lead approves it as the fallback, and it is published',
  async (db) => {
    const { admin, ben, cleo, rita } = team(db);
    await applyPlan(admin, { source: smallSaas });
    const declared = await declareIncident(rita, { name: 'Tasklane is down', scenario: 'app-down' });
    const first = declared.incident_updates[0];
    assert.ok(first);
    assert.equal(first.state, 'pending_approval');

    await editDraft(cleo, declared.id, first.id, { body: edited });
    const pending = await submitDraft(cleo, declared.id, first.id);
    assert.equal(pending.state, 'pending_approval');

    // The request names who may decide now, carries the words as each channel shows them, and how to decide.
    const request = (await internalNotices(db)).find(
      (n) => n.title.startsWith('Approval needed') && n.text.includes('cleo@tasklane.example.'),
    );
    assert.ok(request);
    assert.match(request.text, /ben@tasklane\.example \(incident lead, the plan's fallback\)/);
    assert.match(request.text, /Written by rita@tasklane\.example, cleo@tasklane\.example\./);
    assert.match(
      request.text,
      /On status-page, feed, slack:\nYou cannot open Tasklane or save changes in Europe\./,
    );
    assert.match(request.text, /On email:\nSubject: Tasklane is down: we are working on it\nYou cannot open/);
    assert.ok(
      request.text.includes(
        `Approve: POST https://status.tasklane.example/api/v1/incidents/${declared.id}/updates/${first.id}/approve, or crier update approve ${declared.id} ${first.id}`,
      ),
      request.text,
    );
    assert.ok(request.text.includes(`crier update reject ${declared.id} ${first.id} --comment`));

    await assert.rejects(approveUpdate(cleo, declared.id, first.id), { code: 'self_approval' });
    // The incident lead is free to approve, so an admin may not yet.
    await assert.rejects(approveUpdate(admin, declared.id, first.id), { code: 'not_an_approver' });

    const approved = await approveUpdate(ben, declared.id, first.id);
    assert.equal(approved.state, 'published');
    const decision = approved.decisions.at(-1);
    assert.equal(decision?.basis, 'fallback');
    assert.equal(decision?.as_role, 'incident_lead');
    assert.match(
      decision?.why ?? '',
      /fallback approver: every communications lead .*cleo@tasklane\.example/,
    );

    const incident = await getIncident(db, declared.id);
    assert.deepEqual(
      incident.roles,
      {
        incident_lead: 'ben@tasklane.example',
        comms_lead: 'cleo@tasklane.example',
        support_lead: 'dev@tasklane.example',
      },
      'nobody was reassigned',
    );
    assert.deepEqual(incident.last_resort_approvals, []);
    const [entry] = (
      await listAudit(testCtx(db), { page: 1, per_page: 10, action: 'incident_update.approve' })
    ).items;
    const after = entry?.after as { basis: string; why: string };
    assert.equal(after.basis, 'fallback');
    assert.match(after.why, /cleo@tasklane\.example/);
  },
);

eachDialect(
  test,
  'when everyone the plan names wrote the draft, an admin approves as the last resort, with a reason on the record',
  async (db) => {
    const { admin, ben, cleo } = team(db);
    await applyPlan(admin, { source: smallSaas });
    const declared = await declareIncident(ben, { name: 'Tasklane is down', scenario: 'app-down' });
    const first = declared.incident_updates[0];
    assert.ok(first);
    await editDraft(cleo, declared.id, first.id, { body: edited });
    await editDraft(admin, declared.id, first.id, { body: edited.replace('in Europe', 'in the EU') });
    await submitDraft(admin, declared.id, first.id);

    await assert.rejects(approveUpdate(ben, declared.id, first.id), { code: 'self_approval' });
    await assert.rejects(approveUpdate(admin, declared.id, first.id), { code: 'approval_reason_required' });
    await assert.rejects(rejectUpdate(admin, declared.id, first.id, { comment: 'no' }), {
      code: 'self_approval',
    });
    const approved = await approveUpdate(admin, declared.id, first.id, {
      reason: 'Everyone on shift wrote part of it; the outage must be announced now.',
    });
    assert.equal(approved.state, 'published');
    assert.equal(approved.decisions.at(-1)?.basis, 'last_resort');
    const incident = await getIncident(db, declared.id);
    assert.deepEqual(
      incident.last_resort_approvals.map((a) => [a.update_id, a.actor, a.reason]),
      [
        [
          first.id,
          'token:root@tasklane.example',
          'Everyone on shift wrote part of it; the outage must be announced now.',
        ],
      ],
    );
    const [entry] = (
      await listAudit(testCtx(db), { page: 1, per_page: 10, action: 'incident_update.approve' })
    ).items;
    const after = entry?.after as { basis: string; reason: string };
    assert.equal(after.basis, 'last_resort');
    assert.match(after.reason, /^Everyone on shift/);
  },
);

eachDialect(
  test,
  'a rejection reaches the draft’s authors on the internal channel, with the comment',
  async (db) => {
    const { admin, cleo, rita } = team(db);
    await applyPlan(admin, { source: smallSaas });
    const declared = await declareIncident(rita, { name: 'Tasklane is down', scenario: 'app-down' });
    const first = declared.incident_updates[0];
    assert.ok(first);
    await rejectUpdate(cleo, declared.id, first.id, { comment: 'Say which region is affected.' });
    const told = (await internalNotices(db)).filter((n) => n.title.startsWith('Draft rejected'));
    assert.equal(told.length, 1);
    assert.match(
      told[0]?.text ?? '',
      /^rita@tasklane\.example: cleo@tasklane\.example rejected your public update: "Say which region is affected\."/,
    );
  },
);

async function componentEvents(db: Db): Promise<string[]> {
  const jobs = await db.selectFrom('outbox_jobs').select('payload').where('kind', '=', 'fanout').execute();
  return jobs
    .map((j) => JSON.parse(j.payload) as { subject_type: string; subject_id: string })
    .filter((p) => p.subject_type === 'component_update')
    .map((p) => p.subject_id);
}

eachDialect(
  test,
  'component statuses go live at once while the words wait for approval, unless the plan holds them',
  async (db) => {
    const { admin, cleo, rita } = team(db);
    await applyPlan(admin, { source: smallSaas });
    const web = await createComponent(admin, { name: 'Web app' });
    const declared = await declareIncident(rita, {
      name: 'Tasklane is down',
      scenario: 'app-down',
      components: { [web.id]: 'major_outage' },
    });
    const first = declared.incident_updates[0];
    assert.equal(first?.state, 'pending_approval');
    assert.equal((await getIncident(db, declared.id)).components[0]?.status, 'major_outage');
    assert.equal((await currentPageStatus(db)).indicator, 'critical');
    assert.deepEqual(await componentEvents(db), [`${first?.id}:${web.id}`]);

    const published = await approveUpdate(cleo, declared.id, first?.id ?? '');
    assert.equal(published.state, 'published');
    assert.deepEqual(
      published.affected_components.map((c) => `${c.name}: ${c.old_status} → ${c.new_status}`),
      ['Web app: operational → major_outage'],
      'the published update reports the change it made, though it went live before',
    );
    assert.equal((await componentEvents(db)).length, 1, 'one component event, not two');
  },
);

eachDialect(
  test,
  'a plan that holds component statuses for the approved message keeps them until it is published',
  async (db) => {
    const { admin, cleo, rita } = team(db);
    await applyPlan(admin, {
      source: smallSaas.replace(
        'approval_fallback: [incident_lead, admin]',
        'approval_fallback: [incident_lead, admin]\n    components_wait_for_approval: true',
      ),
    });
    const web = await createComponent(admin, { name: 'Web app' });
    const declared = await declareIncident(rita, {
      name: 'Tasklane is down',
      scenario: 'app-down',
      components: { [web.id]: 'major_outage' },
    });
    assert.equal((await getIncident(db, declared.id)).components.length, 0);
    assert.equal((await currentPageStatus(db)).indicator, 'none');
    assert.deepEqual(await componentEvents(db), []);
    await approveUpdate(cleo, declared.id, declared.incident_updates[0]?.id ?? '');
    assert.equal((await getIncident(db, declared.id)).components[0]?.status, 'major_outage');
    assert.equal((await currentPageStatus(db)).indicator, 'critical');
    assert.equal((await componentEvents(db)).length, 1);
  },
);
