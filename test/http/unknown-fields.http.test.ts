/**
 * No field is dropped silently: walks the server's own admin route table, and
 * every route that takes a body refuses a field it does not know with a 400
 * naming it (bare, and wrapped as Statuspage wraps it), and changes nothing.
 * A route added later fails here until its body is in the table.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { planSecrets, sev1Plan } from '../helpers/plan.ts';

const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

let t: TestApp;
before(async () => {
  t = await startTestApp(dialect, { env: planSecrets });
});
after(async () => t.close());

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
}

async function call(method: string, url: string, payload?: unknown): Promise<Answer> {
  const res = await t.app.server.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: t.auth('admin'),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  const body = /json/.test(String(res.headers['content-type'])) && res.body ? JSON.parse(res.body) : res.body;
  return { status: res.statusCode, body, headers: res.headers };
}

async function made<T>(method: string, url: string, payload?: unknown): Promise<T> {
  const res = await call(method, url, payload);
  assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** What a refused request must leave as it was: the audit log and the resource it aimed at. */
async function snapshot(watch: string): Promise<unknown> {
  const audit = await call('GET', '/audit?per_page=1');
  return { audit: audit.headers['x-total-count'], watched: (await call('GET', watch)).body };
}

interface Case {
  url: string;
  /** A body the route takes: only the unknown field is wrong with it. */
  body: Record<string, unknown>;
  /** Statuspage's wrapper key, where the route also takes the body wrapped. */
  wrap?: string;
  /** A GET whose answer must not change. */
  watch: string;
}

/** Something real for every path parameter, so a request that got through would change it. */
async function fixtures() {
  const comp = await made<{ id: string }>('POST', '/components', { name: 'API' });
  const group = await made<{ id: string }>('POST', '/component-groups', {
    name: 'Core',
    components: [comp.id],
  });
  const incident = await made<{ id: string; incident_updates: { id: string }[] }>('POST', '/incidents', {
    name: 'Errors',
    body: 'Some API calls fail.',
    audience: 'internal',
  });
  const published = incident.incident_updates[0]?.id ?? '';
  const draft = await made<{ id: string }>('POST', `/incidents/${incident.id}/drafts`, {
    body: 'Still looking.',
    audience: 'internal',
  });
  const maintenance = await made<{ id: string }>('POST', '/maintenances', {
    name: 'Upgrade',
    scheduled_for: '2030-01-01T00:00:00Z',
    scheduled_until: '2030-01-01T02:00:00Z',
    component_ids: [comp.id],
  });
  const user = await made<{ id: string }>('POST', '/users', { email: 'ada@example.com', role: 'viewer' });
  // A runbook run on the incident with a failed step (runs are made by the worker, not through the API).
  const now = new Date().toISOString();
  await t.app.db
    .insertInto('runbook_runs')
    .values({
      id: 'run-1',
      runbook: 'db',
      group_key: '[]',
      state: 'open',
      incident_id: incident.id,
      started_at: now,
      resolved_at: null,
    })
    .execute();
  await t.app.db
    .insertInto('runbook_run_steps')
    .values({
      run_id: 'run-1',
      round: 0,
      phase: 'do',
      position: 0,
      kind: 'notify',
      spec: '{"audience":"internal","text":"Hello."}',
      state: 'failed',
      attempts: 0,
      outcome: null,
      error: 'refused',
      created_at: now,
      finished_at: now,
    })
    .execute();
  return {
    comp: comp.id,
    group: group.id,
    incident: incident.id,
    published,
    draft: draft.id,
    maintenance: maintenance.id,
    user: user.id,
  };
}

function cases(f: Awaited<ReturnType<typeof fixtures>>): Record<string, Case> {
  const i = `/incidents/${f.incident}`;
  const d = `${i}/updates/${f.draft}`;
  const m = `/maintenances/${f.maintenance}`;
  const move = { url: '', body: { body: 'Moving on.' }, watch: m };
  return {
    'POST /components': {
      url: '/components',
      body: { name: 'Web' },
      wrap: 'component',
      watch: '/components',
    },
    'POST /components/reorder': {
      url: '/components/reorder',
      body: { component_ids: [f.comp] },
      watch: '/components',
    },
    'PATCH /components/:id': {
      url: `/components/${f.comp}`,
      body: { name: 'Renamed' },
      wrap: 'component',
      watch: `/components/${f.comp}`,
    },
    'POST /component-groups': {
      url: '/component-groups',
      body: { name: 'Edge' },
      wrap: 'component_group',
      watch: '/component-groups',
    },
    'PATCH /component-groups/:id': {
      url: `/component-groups/${f.group}`,
      body: { name: 'Renamed' },
      wrap: 'component_group',
      watch: `/component-groups/${f.group}`,
    },
    'POST /incidents': {
      url: '/incidents',
      body: { name: 'New', body: 'Down.', audience: 'internal' },
      wrap: 'incident',
      watch: '/incidents',
    },
    'POST /drills': {
      url: '/drills',
      body: { scenario: 'database-degraded', speed: 60 },
      watch: '/incidents',
    },
    'PATCH /incidents/:id': {
      url: i,
      body: { name: 'Renamed', status: 'identified' },
      wrap: 'incident',
      watch: i,
    },
    'POST /incidents/:id/resolve': { url: `${i}/resolve`, body: { body: 'Fixed.' }, watch: i },
    'POST /incidents/:id/updates': {
      url: `${i}/updates`,
      body: { body: 'Better.', audience: 'internal' },
      wrap: 'incident_update',
      watch: i,
    },
    'PATCH /incidents/:id/updates/:uid': {
      url: `${i}/updates/${f.published}`,
      body: { body: 'Corrected.' },
      wrap: 'incident_update',
      watch: `${i}/updates/${f.published}`,
    },
    'POST /maintenances': {
      url: '/maintenances',
      body: {
        name: 'Another',
        scheduled_for: '2031-01-01T00:00:00Z',
        scheduled_until: '2031-01-01T01:00:00Z',
      },
      wrap: 'maintenance',
      watch: '/maintenances',
    },
    'POST /maintenances/:id/start': { ...move, url: `${m}/start` },
    'POST /maintenances/:id/verify': { ...move, url: `${m}/verify` },
    'POST /maintenances/:id/complete': { ...move, url: `${m}/complete` },
    'POST /maintenances/:id/cancel': { ...move, url: `${m}/cancel` },
    'POST /tokens': { url: '/tokens', body: { name: 'ci', role: 'viewer' }, watch: '/tokens' },
    'POST /ingest-keys': { url: '/ingest-keys', body: { source: 'alertmanager' }, watch: '/ingest-keys' },
    'POST /users': { url: '/users', body: { email: 'bob@example.com', role: 'viewer' }, watch: '/users' },
    'PATCH /users/:id': { url: `/users/${f.user}`, body: { role: 'responder' }, watch: '/users' },
    'PUT /plan': { url: '/plan', body: { source: sev1Plan }, watch: '/plan' },
    'POST /plan/check': { url: '/plan/check', body: { source: sev1Plan }, watch: '/plan' },
    'POST /incidents/:id/drafts': {
      url: `${i}/drafts`,
      body: { body: 'Draft.', audience: 'internal' },
      watch: i,
    },
    'PATCH /incidents/:id/updates/:uid/draft': {
      url: `${d}/draft`,
      body: { body: 'Edited.' },
      watch: `${d}/draft`,
    },
    'POST /incidents/:id/updates/:uid/submit': {
      url: `${d}/submit`,
      body: { lint_override: { reason: 'Reviewed.' } },
      watch: `${d}/draft`,
    },
    'POST /incidents/:id/updates/:uid/approve': {
      url: `${d}/approve`,
      body: { comment: 'Fine.' },
      watch: `${d}/draft`,
    },
    'POST /incidents/:id/updates/:uid/reject': {
      url: `${d}/reject`,
      body: { comment: 'Shorter.' },
      watch: `${d}/draft`,
    },
    'POST /incidents/:id/updates/:uid/publish': { url: `${d}/publish`, body: {}, watch: `${d}/draft` },
    'POST /incidents/:id/runbook-runs/:run/steps/:step/retry': {
      url: `${i}/runbook-runs/run-1/steps/0.do.0/retry`,
      body: {},
      watch: `${i}/runbook-runs`,
    },
    'POST /incidents/:id/updates/:uid/preview': {
      url: `${d}/preview`,
      body: { body: 'Typed.' },
      watch: `${d}/draft`,
    },
    'PUT /incidents/:id/roles': {
      url: `${i}/roles`,
      body: { incident_lead: 'ada@example.com' },
      watch: `${i}/roles`,
    },
    'POST /subscribers': {
      url: '/subscribers',
      body: { email: 'sub@example.com' },
      wrap: 'subscriber',
      watch: '/subscribers',
    },
    'POST /deliveries/replay': { url: '/deliveries/replay', body: { all: true }, watch: '/deliveries' },
    'POST /drills/run': { url: '/drills/run', body: { name: 'nightly', speed: 60 }, watch: '/incidents' },
    'POST /incidents/:id/feedback': {
      url: `${i}/feedback`,
      body: { rating: 4, support_tickets: 3 },
      watch: `${i}/feedback`,
    },
    'POST /subscribers/export-person': {
      url: '/subscribers/export-person',
      body: { contact: 'sub@example.com' },
      watch: '/audit?per_page=5',
    },
    'POST /subscribers/forget': {
      url: '/subscribers/forget',
      body: { contact: 'sub@example.com' },
      watch: '/subscribers',
    },
  };
}

interface Refusal {
  error: { code: string; message: string; details: { path: string; message: string }[] };
}

async function assertRefused(method: string, c: Case, payload: unknown, unknown: string[], where: string) {
  const before = await snapshot(c.watch);
  const res = await call(method, c.url, payload);
  assert.equal(res.status, 400, `${where}: ${res.status} ${JSON.stringify(res.body)}`);
  const { error } = res.body as Refusal;
  assert.equal(error.code, 'validation_failed', where);
  assert.deepEqual(
    error.details.map((p) => p.path),
    unknown.map((u) => `body.${u}`),
    `${where}: only the unknown fields are wrong (${JSON.stringify(error.details)})`,
  );
  for (const u of unknown)
    assert.ok(error.message.includes(u), `${where}: the message names ${u}: ${error.message}`);
  assert.deepEqual(await snapshot(c.watch), before, `${where}: refused, yet something changed`);
}

test('every admin route that takes a body refuses a field it does not know, naming it, and changes nothing', async () => {
  const table = cases(await fixtures());
  const withBody = t.app.server.adminRoutes
    .filter((r) => r.hasBody)
    .map((r) => `${r.method} ${r.url.replace('/api/v1', '')}`);
  assert.ok(withBody.length >= 29, `only ${withBody.length} routes take a body`);
  assert.deepEqual(
    withBody.filter((r) => !(r in table)),
    [],
    'routes that take a body and have no case here: add them',
  );
  for (const route of withBody) {
    const c = table[route] as Case;
    const method = route.split(' ')[0] as string;
    await assertRefused(method, c, { ...c.body, colour: 'blue' }, ['colour'], route);
    await assertRefused(method, c, { ...c.body, colour: 'blue', size: 3 }, ['colour', 'size'], route);
    if (c.wrap) {
      await assertRefused(
        method,
        c,
        { [c.wrap]: { ...c.body, colour: 'blue' } },
        [`${c.wrap}.colour`],
        `${route} wrapped`,
      );
      await assertRefused(
        method,
        c,
        { [c.wrap]: c.body, colour: 'blue' },
        ['colour'],
        `${route} beside the wrapper`,
      );
    }
  }
});

test('the public /subscribe refuses a field it does not know, as JSON and as a form, and adds no one', async () => {
  const count = async () => (await t.app.db.selectFrom('subscribers').select('id').execute()).length;
  const before = await count();
  const json = await t.app.server.inject({
    method: 'POST',
    url: '/subscribe',
    payload: { email: 'new@example.com', colour: 'blue' },
  });
  assert.equal(json.statusCode, 400);
  const { error } = JSON.parse(json.body) as Refusal;
  assert.equal(error.code, 'validation_failed');
  assert.deepEqual(
    error.details.map((d) => d.path),
    ['colour'],
  );
  const form = await t.app.server.inject({
    method: 'POST',
    url: '/subscribe',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'email=new%40example.com&colour=blue',
  });
  assert.equal(form.statusCode, 400);
  // The form's reader gets the catalog's sentence in their language; the JSON above names the field.
  assert.match(form.body, /This form cannot be saved as it is\. Check it and try again\./);
  assert.equal(await count(), before);
});
