/**
 * The update lifecycle's routes added beside the draft routes: discarding a
 * draft (`DELETE …/updates/:uid/draft`), a draft's ETA, and resolving in
 * the scenario's words when no message is given, through the API and
 * through `crier incident resolve` over real HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { buildProgram } from '../../src/cli/program.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { planSecrets, sev1PlanPath } from '../helpers/plan.ts';

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
async function call(role: Role, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) {
  const res = await t.app.server.inject({
    method,
    url: `/api/v1${url}`,
    headers: t.auth(role),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.body === '' ? null : JSON.parse(res.body) };
}

test('a draft is discarded with DELETE; a published update answers 409 and stays', async () => {
  const declared = await call('incident_lead', 'POST', '/incidents', {
    name: 'Exports delayed',
    severity: 'SEV3',
    body: 'Exports are delayed for every customer. Next update by 12:00 CET.',
  });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
  const incident = declared.body;
  const draft = await call('responder', 'POST', `/incidents/${incident.id}/drafts`, {
    body: 'Exports are delayed; we found why. Next update by 12:00 CET.',
    eta: '2026-01-15T12:00:00Z',
  });
  assert.equal(draft.status, 201, JSON.stringify(draft.body));
  assert.equal(draft.body.eta, '2026-01-15T12:00:00.000Z');

  const refused = await call('viewer', 'DELETE', `/incidents/${incident.id}/updates/${draft.body.id}/draft`);
  assert.equal(refused.status, 403);
  const gone = await call('responder', 'DELETE', `/incidents/${incident.id}/updates/${draft.body.id}/draft`);
  assert.equal(gone.status, 204);
  const again = await call('responder', 'DELETE', `/incidents/${incident.id}/updates/${draft.body.id}/draft`);
  assert.equal(again.status, 404);
  assert.equal(again.body.error.code, 'update_not_found');
  const read = await call('viewer', 'GET', `/incidents/${incident.id}/updates/${draft.body.id}/draft`);
  assert.equal(read.status, 404);

  const published = incident.incident_updates[0];
  assert.equal(published.state, 'published');
  const conflict = await call(
    'responder',
    'DELETE',
    `/incidents/${incident.id}/updates/${published.id}/draft`,
  );
  assert.equal(conflict.status, 409);
  assert.equal(conflict.body.error.code, 'transition_not_allowed');
  const kept = await call('viewer', 'GET', `/incidents/${incident.id}/updates/${published.id}`);
  assert.equal(kept.status, 200);

  const audit = await call(
    'admin',
    'GET',
    `/audit?action=incident_update.discard&subject_id=${draft.body.id}`,
  );
  assert.equal(audit.body.length, 1);
  assert.equal(audit.body[0].before.body, 'Exports are delayed; we found why. Next update by 12:00 CET.');
});

test('POST /incidents/:id/resolve without a body resolves in the scenario’s resolved words', async () => {
  const component = await call('admin', 'POST', '/components', { name: 'Database' });
  const declared = await call('incident_lead', 'POST', '/incidents', {
    name: 'Saving fails',
    scenario: 'database-degraded',
    severity: 'SEV3',
    components: { [component.body.id]: 'major_outage' },
    body: 'Saving changes fails for every customer. Next update by 11:30 CET.',
  });
  assert.equal(declared.status, 201, JSON.stringify(declared.body));
  clock.advance(60_000);
  const resolved = await t.app.server.inject({
    method: 'POST',
    url: `/api/v1/incidents/${declared.body.id}/resolve`,
    headers: t.auth('incident_lead'),
  });
  assert.equal(resolved.statusCode, 200, resolved.body);
  const body = JSON.parse(resolved.body);
  assert.equal(body.status, 'resolved');
  assert.equal(
    body.incident_updates[0].body,
    'Saving changes works normally again for all customers. We are sorry for the trouble.',
  );
});

/** Runs a `crier` client command in this process against the test app, as `role`; answers what it printed. */
let url: string | undefined;
async function crier(role: Role, args: string[]): Promise<string> {
  url ??= await t.app.listen();
  // The client commands read CRIER_URL and CRIER_TOKEN, as a shell would hand them over.
  Object.assign(process.env, { CRIER_URL: url, CRIER_TOKEN: t.tokens[role] });
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await buildProgram().parseAsync(['node', 'crier', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('crier incident resolve without --message resolves in the scenario’s resolved words; a message wins', async () => {
  const declare = (name: string) =>
    call('incident_lead', 'POST', '/incidents', {
      name,
      scenario: 'slow-reports',
      severity: 'SEV3',
      body: 'Reports load slowly for every customer. Next update by 11:30 CET.',
    });
  const first = await declare('Reports slow');
  assert.equal(first.status, 201, JSON.stringify(first.body));
  clock.advance(60_000);
  const resolved = JSON.parse(await crier('incident_lead', ['incident', 'resolve', first.body.id, '--json']));
  assert.equal(resolved.status, 'resolved');
  assert.equal(resolved.incident_updates[0].body, 'Reports load quickly again for all customers.');

  const second = await declare('Reports slow again');
  clock.advance(60_000);
  const closing = 'Reports load quickly again for every customer; the slow index is rebuilt.';
  const own = JSON.parse(
    await crier('incident_lead', ['incident', 'resolve', second.body.id, '--message', closing, '--json']),
  );
  assert.equal(own.incident_updates[0].body, closing);
});
