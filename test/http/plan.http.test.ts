/**
 * The SEV1 path through the admin API, on the plan loaded from CRIER_PLAN at
 * start: declared from a scenario, a draft from its template, pending
 * approval, rejected once, approved by the comms lead, published to the page
 * and to subscribers (one fan-out), a reminder when the next update falls
 * due and an escalation to the incident lead when it is overdue (outbox
 * timers at those instants). Also: preview, support brief, roles, plan API.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, test } from 'node:test';
import { reminderNotice } from '../../src/services/cadence/reminders.ts';
import type { CadenceReminder } from '../../src/store/outbox.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { planSecrets, sev1Plan, sev1PlanPath } from '../helpers/plan.ts';

let t: TestApp;
const clock = new TestClock('2026-01-15T10:00:00.000Z');
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    clock,
    env: { CRIER_PLAN: sev1PlanPath, CRIER_PUBLIC_URL: 'https://status.acme.example', ...planSecrets },
  });
});
after(async () => t.close());

type Role = Parameters<TestApp['auth']>[0];
async function call(role: Role, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) {
  const res = await t.app.server.inject({
    method,
    url: `/api/v1${url}`,
    headers: t.auth(role),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.body === '' ? null : JSON.parse(res.body), raw: res };
}

async function jobs(kind: string) {
  const rows = await t.app.db
    .selectFrom('outbox_jobs')
    .selectAll()
    .where('kind', '=', kind)
    .orderBy('run_at')
    .execute();
  return rows.map((r) => ({ ...r, payload: JSON.parse(r.payload) }));
}

/** What a cadence reminder job says when it goes off now (its words are written when it is sent). */
async function said(job: { payload: CadenceReminder } | undefined): Promise<string> {
  if (job === undefined) return '';
  return (await reminderNotice(t.app.systemCtx, job.payload))?.text ?? '';
}

/**
 * The public surface as it is once the latest change is rendered. The page
 * re-renders off the request path after a short debounce; rendering now
 * makes the read deterministic, so a leak cannot hide behind a stale page.
 */
async function publicSurface(): Promise<[string, string][]> {
  await t.app.statusPage.refresh();
  const out: [string, string][] = [];
  for (const url of ['/', '/api/v2/incidents.json', '/history.atom']) {
    const res = await t.app.server.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, url);
    out.push([url, res.body]);
  }
  return out;
}

test('the plan file is applied at start, and the plan API shows it, its versions and its schema', async () => {
  const current = await call('viewer', 'GET', '/plan');
  assert.equal(current.status, 200);
  assert.equal(current.body.version, 1);
  assert.equal(current.body.plan.page.name, 'Acme Cloud');
  assert.equal(current.body.applied_via, 'file');
  assert.equal(current.body.file.path, sev1PlanPath);
  assert.equal(current.body.file.sha256, createHash('sha256').update(sev1Plan).digest('hex'));
  const versions = await call('viewer', 'GET', '/plan/versions');
  assert.equal(versions.body[0].applied_by, 'plan-file');
  assert.equal(versions.body[0].applied_via, 'file');
  const same = await call('admin', 'PUT', '/plan', { source: sev1Plan });
  assert.equal(same.body.unchanged, true);
  const bad = await call('admin', 'PUT', '/plan', { source: 'severities:\n  SEV1:\n    approval: ceo\n' });
  assert.equal(bad.status, 422);
  assert.equal(bad.body.error.code, 'plan_invalid');
  assert.equal(bad.body.error.details.problems[0].path, 'severities.SEV1.approval');
  assert.equal(bad.body.error.details.problems[0].line, 3);
  const forbidden = await call('comms_lead', 'PUT', '/plan', { source: sev1Plan });
  assert.equal(forbidden.status, 403);
  const schema = await call('viewer', 'GET', '/plan/schema');
  assert.ok(schema.body.properties.severities);
  const check = await call('admin', 'POST', '/plan/check', { source: 'page: { name: X }\n' });
  assert.equal(check.body.ok, false);
});

test('SEV1: template draft, pending approval, rejected, approved by the comms lead, published, reminded, escalated', async () => {
  const component = await call('admin', 'POST', '/components', { name: 'API' });
  const declared = await call('responder', 'POST', '/incidents', {
    name: 'Saving fails',
    scenario: 'database-degraded',
    components: { [component.body.id]: 'major_outage' },
  });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
  const incident = declared.body;
  assert.equal(incident.severity, 'SEV1');
  assert.equal(incident.roles.comms_lead, 'carol@acme.example');
  const draft = incident.incident_updates[0];
  assert.equal(draft.state, 'pending_approval');
  assert.match(draft.body, /Next update by \{\{ next_update_at \}\}/, 'written in when it is published');

  const preview = await call('viewer', 'GET', `/incidents/${incident.id}/updates/${draft.id}/preview`);
  assert.equal(preview.status, 200);
  const byChannel = Object.fromEntries(preview.body.channels.map((c: { channel: string }) => [c.channel, c]));
  assert.deepEqual(Object.keys(byChannel), ['status-page', 'email', 'sms']);
  assert.equal(byChannel.sms.source, 'sms', 'the SMS variant of the template');
  assert.equal(byChannel.sms.unit, 'segments');
  assert.equal(byChannel.sms.segments, 1);
  assert.equal(byChannel['status-page'].source, 'body');
  assert.match(byChannel['status-page'].text, /Next update by 11:30 CET/, 'the preview: as if published now');

  const firstWords = 'We are investigating errors in API.';
  assert.ok(draft.body.startsWith(firstWords));
  for (const [url, body] of await publicSurface()) {
    assert.ok(!body.includes(firstWords), `${url}: nothing public before approval`);
  }

  const self = await call('responder', 'POST', `/incidents/${incident.id}/updates/${draft.id}/approve`, {});
  assert.equal(self.status, 403);
  const early = await call('comms_lead', 'POST', `/incidents/${incident.id}/updates/${draft.id}/publish`, {});
  assert.equal(early.body.error.code, 'approval_required');

  clock.advance(60_000);
  const rejected = await call('comms_lead', 'POST', `/incidents/${incident.id}/updates/${draft.id}/reject`, {
    comment: 'Say it is only EU customers.',
  });
  assert.equal(rejected.body.state, 'rejected');
  const noComment = await call(
    'comms_lead',
    'POST',
    `/incidents/${incident.id}/updates/${draft.id}/reject`,
    {},
  );
  assert.equal(noComment.status, 400);

  const vague = await call('responder', 'PATCH', `/incidents/${incident.id}/updates/${draft.id}/draft`, {
    body: 'Some users may experience issues.',
  });
  assert.equal(vague.body.state, 'draft');
  const refused = await call('responder', 'POST', `/incidents/${incident.id}/updates/${draft.id}/submit`, {});
  assert.equal(refused.status, 422);
  assert.equal(refused.body.error.code, 'lint_failed');
  assert.match(
    refused.body.error.message,
    /does not say what customers experience or when customers will hear next/,
  );

  const finalWords = 'Saving changes fails for customers in the EU.';
  await call('responder', 'PATCH', `/incidents/${incident.id}/updates/${draft.id}/draft`, {
    body: `${finalWords} Next update by 10:35 CET.`,
  });
  const submitted = await call(
    'responder',
    'POST',
    `/incidents/${incident.id}/updates/${draft.id}/submit`,
    {},
  );
  assert.equal(submitted.status, 200, JSON.stringify(submitted.body));
  assert.equal(submitted.body.state, 'pending_approval');
  for (const [url, body] of await publicSurface()) {
    assert.ok(!body.includes(finalWords), `${url}: nothing public while pending approval`);
  }
  clock.advance(4 * 60_000);
  const approved = await call('comms_lead', 'POST', `/incidents/${incident.id}/updates/${draft.id}/approve`, {
    comment: 'Clear.',
  });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.state, 'published');

  for (const [url, body] of await publicSurface()) {
    assert.ok(body.includes(finalWords), `${url}: the approved words are public once published`);
  }
  // One fan-out for the update; webhook subscribers also get a component event per component it moved.
  const fanouts = (await jobs('fanout')).filter((j) => j.payload.subject_type === 'incident_update');
  assert.deepEqual(
    fanouts.map((j) => [j.payload.subject_id, j.payload.audience]),
    [[draft.id, 'public']],
  );

  const shown = await call('viewer', 'GET', `/incidents/${incident.id}`);
  assert.equal(shown.body.next_update_due_at, '2026-01-15T10:35:00.000Z');
  assert.equal(shown.body.impact, 'critical', 'the scenario says major; a major outage raises it');
  assert.equal(shown.body.impact_override, null);
  assert.deepEqual(shown.body.cadence, { updates_due: 1, updates_on_time: 1, ratio: 1 });

  const reminders = (await jobs('cadence.reminder')).filter(
    (j) => j.state === 'pending' && String(j.dedupe_key).startsWith(`cadence:${incident.id}:`),
  );
  const due = reminders.find((r) => r.run_at === '2026-01-15T10:35:00.000Z');
  const overdue = reminders.find((r) => r.run_at === '2026-01-15T10:40:00.000Z');
  assert.match(await said(due), /carol@acme\.example \(communications lead\).*is due now/);
  assert.match(await said(overdue), /ivy@acme\.example \(incident lead\).*has not been published/);

  const brief = await call('support_lead', 'GET', `/incidents/${incident.id}/support-brief`);
  assert.match(brief.body.reply, /Saving changes fails for customers in the EU/);
  assert.equal(brief.body.next_update_text, '11:35 CET');
  const text = await t.app.server.inject({
    method: 'GET',
    url: `/api/v1/incidents/${incident.id}/support-brief`,
    headers: { ...t.auth('support_lead'), accept: 'text/plain' },
  });
  assert.match(String(text.headers['content-type']), /text\/plain/);
  assert.match(text.body, /^Support brief: Saving fails/);

  const record = await call('viewer', 'GET', `/incidents/${incident.id}/updates/${draft.id}/draft`);
  assert.deepEqual(
    record.body.decisions.map((d: { decision: string; round: number }) => [d.decision, d.round]),
    [
      ['reject', 1],
      ['approve', 2],
    ],
  );
  assert.equal(record.body.lint.length, 0);

  const roles = await call('incident_lead', 'PUT', `/incidents/${incident.id}/roles`, {
    support_lead: 'sue@acme.example',
  });
  assert.equal(roles.status, 200);
  assert.equal(
    roles.body.find((r: { role: string }) => r.role === 'support_lead').holder,
    'sue@acme.example',
  );
  const rearmed = (await jobs('cadence.reminder')).find(
    (j) => j.state === 'pending' && j.dedupe_key === `cadence:${incident.id}:due:slack-internal`,
  );
  assert.equal(rearmed?.run_at, '2026-01-15T10:35:00.000Z');
  const comms = await call('incident_lead', 'PUT', `/incidents/${incident.id}/roles`, {
    comms_lead: 'dora@acme.example',
  });
  assert.equal(comms.status, 200);
  const renamed = (await jobs('cadence.reminder')).find(
    (j) => j.dedupe_key === `cadence:${incident.id}:due:slack-internal`,
  );
  assert.match(
    await said(renamed),
    /^dora@acme\.example \(communications lead\)/,
    'reminders name the new holder',
  );
  const noRoles = await call('incident_lead', 'PUT', `/incidents/${incident.id}/roles`, {});
  assert.equal(noRoles.status, 400);
});
