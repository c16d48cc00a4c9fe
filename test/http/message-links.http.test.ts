/**
 * No message links to a page that does not exist: the notices to the people
 * holding roles, the cadence reminders, the support brief, approval requests
 * and the update messages themselves, for a drill (which the status page
 * never shows) and for an incident before and after its first public update.
 * Every link is followed on the server itself. And the support brief's title
 * is said once, not again as the first line of its text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { reminderNotice } from '../../src/services/cadence/reminders.ts';
import { subjectMessage } from '../../src/services/subject-message.ts';
import type { CadenceReminder, NoticeMessage } from '../../src/store/outbox.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { planSecrets, sev1PlanPath } from '../helpers/plan.ts';

const publicUrl = 'https://status.acme.example';
let t: TestApp;
const clock = new TestClock('2026-01-15T10:00:00.000Z');
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    clock,
    env: { CRIER_PLAN: sev1PlanPath, CRIER_PUBLIC_URL: publicUrl, ...planSecrets },
  });
});
after(async () => t.close());

async function declare(body: Record<string, unknown>): Promise<{ id: string; updates: { id: string }[] }> {
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/incidents',
    headers: t.auth('incident_lead'),
    payload: body,
  });
  assert.equal(res.statusCode, 201, res.body);
  const view = JSON.parse(res.body) as { id: string; incident_updates: { id: string }[] };
  return { id: view.id, updates: view.incident_updates };
}

/** The notices written about the incident named so far (role notices, approval requests, support briefs). */
async function notices(name: string): Promise<NoticeMessage[]> {
  const jobs = await t.app.db
    .selectFrom('outbox_jobs')
    .select('payload')
    .where('kind', '=', 'channel.notice')
    .execute();
  return jobs
    .map((j) => (JSON.parse(j.payload) as { message: NoticeMessage }).message)
    .filter((m) => m.title.includes(name));
}

async function reminders(incidentId: string): Promise<NoticeMessage[]> {
  const jobs = await t.app.db
    .selectFrom('outbox_jobs')
    .select('payload')
    .where('kind', '=', 'cadence.reminder')
    .execute();
  const due = jobs
    .map((j) => JSON.parse(j.payload) as CadenceReminder)
    .filter((r) => r.incident_id === incidentId);
  assert.ok(due.length > 0, 'the cadence armed reminders');
  const said = await Promise.all(due.map((r) => reminderNotice(t.app.systemCtx, r)));
  return said.filter((m): m is NoticeMessage => m !== null);
}

/** Follows a link on this server: it must lead somewhere (a page, or the sign-in a page asks for). */
async function assertExists(url: string | undefined, what: string): Promise<number> {
  if (!url?.startsWith(publicUrl)) assert.fail(`${what}: a link on this server, not ${url}`);
  await t.app.statusPage.refresh();
  const res = await t.app.server.inject({ method: 'GET', url: new URL(url).pathname });
  assert.ok(res.statusCode === 200 || res.statusCode === 303, `${what}: ${url} answered ${res.statusCode}`);
  return res.statusCode;
}

test('a drill’s role notices, reminders, support brief and update messages link to its console page, which exists', async () => {
  const drill = await declare({ name: 'Game day', scenario: 'slow-reports', severity: 'SEV3', drill: true });
  const said = await notices('Game day');
  assert.ok(
    said.some((m) => /is the incident lead/.test(m.title)),
    'the incident lead was told',
  );
  assert.ok(
    said.some((m) => m.title.startsWith('Support brief')),
    'the support brief went out',
  );
  const consolePage = `${publicUrl}/console/incidents/${drill.id}`;
  for (const m of [...said, ...(await reminders(drill.id))]) {
    assert.equal(m.url, consolePage, m.title);
    assert.equal(await assertExists(m.url, m.title), 303, 'the console asks for a sign-in');
  }
  const published = drill.updates[0];
  assert.ok(published);
  const message = await subjectMessage(t.app.db, publicUrl, 'incident_update', published.id);
  assert.equal(message.url, consolePage, 'the drill is not on the status page');
  await assertExists(message.url, 'the drill update');
  const page = await t.app.server.inject({ method: 'GET', url: `/incidents/${drill.id}` });
  assert.equal(page.statusCode, 404, 'which is why: a drill never shows on the status page');
});

test('the team’s notices link to the incident’s console page; customers’ messages to its status page once it shows there', async () => {
  // SEV1: the first words wait for the comms lead, so the page does not show the incident yet.
  const sev1 = await declare({ name: 'Saving fails', scenario: 'database-degraded' });
  const waiting = await notices('Saving fails');
  assert.ok(
    waiting.some((m) => m.title.startsWith('Approval needed')),
    'the approver was asked',
  );
  const consolePage = `${publicUrl}/console/incidents/${sev1.id}`;
  for (const m of [...waiting, ...(await reminders(sev1.id))]) {
    assert.equal(m.url, consolePage, m.title);
    await assertExists(m.url, m.title);
  }
  const request = waiting.find((m) => m.title.startsWith('Approval needed'));
  assert.ok(request?.text.includes(`Approve or reject in the console: ${consolePage}\n`), request?.text);

  const first = sev1.updates[0];
  assert.ok(first);
  clock.advance(60_000);
  const approved = await t.app.server.inject({
    method: 'POST',
    url: `/api/v1/incidents/${sev1.id}/updates/${first.id}/approve`,
    headers: t.auth('comms_lead'),
    payload: {},
  });
  assert.equal(approved.statusCode, 200, approved.body);
  const own = `${publicUrl}/incidents/${sev1.id}`;
  for (const m of await reminders(sev1.id)) assert.equal(m.url, consolePage, m.title);
  const message = await subjectMessage(t.app.db, publicUrl, 'incident_update', first.id);
  assert.equal(message.url, own);
  assert.equal((message.event?.incident as { shortlink?: string } | undefined)?.shortlink, own);
  await assertExists(message.url, 'the published update');
});

test('the support brief says its title once: as the notice’s title, not again as its first line', async () => {
  const incident = await declare({
    name: 'Exports delayed',
    severity: 'SEV3',
    body: 'Exports are delayed for every customer. Next update by 12:00 CET.',
  });
  const briefs = (await notices('Exports delayed')).filter((m) => m.title.startsWith('Support brief'));
  assert.equal(briefs.length, 1);
  const [brief] = briefs;
  assert.ok(brief);
  assert.equal(brief.title, 'Support brief: Exports delayed');
  assert.ok(!brief.text.includes('Support brief'), `the text repeats the title:\n${brief.text}`);
  assert.match(brief.text, /^Status: investigating/);
  // The text/plain brief, which has no title of its own, keeps its heading.
  const plain = await t.app.server.inject({
    method: 'GET',
    url: `/api/v1/incidents/${incident.id}/support-brief`,
    headers: { ...t.auth('support_lead'), accept: 'text/plain' },
  });
  assert.match(plain.body, /^Support brief: Exports delayed\nStatus: investigating/);
  assert.equal((plain.body.match(/Support brief/g) ?? []).length, 1);
});
