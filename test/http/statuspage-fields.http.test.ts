/**
 * Scripts written for Statuspage keep working, and are told what Crier did
 * not do: the fields Statuspage's management API documents and Crier does
 * not act on are accepted and named in the answer's `warnings`; a field
 * nobody documents is a 400 naming it that changes nothing; the fields that
 * would mean something else here are refused with what to do instead.
 * docs/api.md lists every accepted-and-ignored field.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  ignoredOnCorrections,
  ignoredOnIncidents,
  ignoredOnMaintenances,
  ignoredOnSubscribers,
  ignoredOnUpdates,
} from '../../src/http/statuspage-fields.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { planSecrets, sev1PlanPath } from '../helpers/plan.ts';

const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

let t: TestApp;
before(async () => {
  t = await startTestApp(dialect, { env: { CRIER_PLAN: sev1PlanPath, ...planSecrets } });
});
after(async () => t.close());

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(method: string, url: string, payload?: unknown): Promise<Answer> {
  const res = await t.app.server.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: t.auth('admin'),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : {} };
}

async function ok(method: string, url: string, payload?: unknown): Promise<Record<string, unknown>> {
  const res = await call(method, url, payload);
  assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function auditTotal(): Promise<string> {
  const res = await t.app.server.inject({ method: 'GET', url: '/api/v1/audit', headers: t.auth('admin') });
  return String(res.headers['x-total-count']);
}

const warnings = (body: Record<string, unknown>) => body.warnings as { field: string; message: string }[];
const fields = (body: Record<string, unknown>) => warnings(body).map((w) => w.field);
const incident = { name: 'API errors', body: 'Some API calls fail.', audience: 'internal' };

test('an unknown field in a wrapped incident is a 400 naming incident.<field>, and the incident is unchanged', async () => {
  const { id } = await ok('POST', '/incidents', incident);
  const before = await ok('GET', `/incidents/${id}`);
  const audits = await auditTotal();
  const res = await call('PATCH', `/incidents/${id}`, {
    incident: { name: 'Renamed', status: 'identified', wants_twitter_update: true, colour: 'blue', size: 3 },
  });
  assert.equal(res.status, 400);
  const error = res.body.error as { code: string; message: string; details: { path: string }[] };
  assert.equal(error.code, 'validation_failed');
  assert.deepEqual(
    error.details.map((d) => d.path),
    ['body.incident.colour', 'body.incident.size'],
  );
  assert.match(error.message, /fields Crier does not know: body\.incident\.colour, body\.incident\.size/);
  assert.deepEqual(await ok('GET', `/incidents/${id}`), before);
  assert.equal(await auditTotal(), audits);

  // Beside a wrong value, the unknown field is still named, in the form the client sent.
  const both = await call('PATCH', `/incidents/${id}`, { incident: { name: 7, colour: 'blue' } });
  assert.deepEqual(
    (both.body.error as { details: { path: string }[] }).details.map((d) => d.path),
    ['body.incident.name', 'body.incident.colour'],
  );
  const bare = await call('PATCH', `/incidents/${id}`, { name: 7, colour: 'blue' });
  assert.deepEqual(
    (bare.body.error as { details: { path: string }[] }).details.map((d) => d.path),
    ['body.name', 'body.colour'],
  );
  // Inside a nested object too.
  const nested = await call('POST', `/incidents/${id}/updates`, {
    body: 'Better.',
    audience: 'internal',
    variants: { sms: 'Better.', fax: 'Better.' },
  });
  assert.equal(nested.status, 400);
  assert.deepEqual(
    (nested.body.error as { details: { path: string }[] }).details.map((d) => d.path),
    ['body.variants.fax'],
  );
  assert.deepEqual(await ok('GET', `/incidents/${id}`), before);
});

test("Statuspage's incident fields Crier does not act on are accepted and named in warnings", async () => {
  const declared = await ok('POST', '/incidents', {
    incident: {
      ...incident,
      deliver_notifications: false,
      wants_twitter_update: true,
      metadata: { jira: { issue_id: 'OPS-1' } },
      backfilled: false,
      scheduled_remind_prior: true,
      auto_transition_to_operational_state: true,
    },
  });
  assert.equal(declared.name, 'API errors');
  assert.deepEqual(fields(declared), [
    'incident.wants_twitter_update',
    'incident.metadata',
    'incident.backfilled',
    'incident.scheduled_remind_prior',
    'incident.auto_transition_to_operational_state',
  ]);
  for (const w of warnings(declared)) assert.match(w.message, /^accepted and ignored: /);
  // What Crier acts on is not a warning: deliver_notifications was honoured.
  const [first] = declared.incident_updates as { deliver_notifications: boolean }[];
  assert.equal(first?.deliver_notifications, false);

  // An answer without ignored fields is the incident as before, with no `warnings` at all.
  const plain = await ok('POST', '/incidents', incident);
  assert.ok(!('warnings' in plain));
  assert.deepEqual(Object.keys(plain).sort(), Object.keys(await ok('GET', `/incidents/${plain.id}`)).sort());

  const patched = await ok('PATCH', `/incidents/${declared.id}`, {
    name: 'API errors in EU',
    auto_tweet_on_completion: true,
  });
  assert.equal(patched.name, 'API errors in EU');
  assert.deepEqual(fields(patched), ['auto_tweet_on_completion']);

  const update = await ok('POST', `/incidents/${declared.id}/updates`, {
    incident_update: { body: 'We found the cause.', audience: 'internal', wants_twitter_update: false },
  });
  assert.deepEqual(fields(update), ['incident_update.wants_twitter_update']);

  const corrected = await ok('PATCH', `/incidents/${declared.id}/updates/${update.id}`, {
    incident_update: {
      body: 'We found the cause: a bad deploy.',
      display_at: '2026-01-01T00:00:00Z',
      deliver_notifications: true,
    },
  });
  assert.equal(corrected.body, 'We found the cause: a bad deploy.');
  assert.deepEqual(fields(corrected), [
    'incident_update.display_at',
    'incident_update.deliver_notifications',
  ]);
});

test('scheduling fields on an incident are refused with where to schedule maintenance instead', async () => {
  const before = await ok('GET', '/incidents');
  const res = await call('POST', '/incidents', {
    incident: { ...incident, scheduled_for: '2030-01-01T00:00:00Z', scheduled_until: '2030-01-01T02:00:00Z' },
  });
  assert.equal(res.status, 400);
  const details = (res.body.error as { details: { path: string; message: string }[] }).details;
  assert.deepEqual(
    details.map((d) => d.path),
    ['body.incident.scheduled_for', 'body.incident.scheduled_until'],
  );
  for (const d of details) assert.match(d.message, /POST \/api\/v1\/maintenances/);
  assert.deepEqual(await ok('GET', '/incidents'), before);
});

test("a maintenance takes Statuspage's fields: the ones Crier acts on do, the others are warned of", async () => {
  const { id: comp } = await ok('POST', '/components', { name: 'Database' });
  const scheduled = await ok('POST', '/maintenances', {
    maintenance: {
      name: 'Database upgrade',
      status: 'scheduled',
      scheduled_for: '2030-01-01T00:00:00Z',
      scheduled_until: '2030-01-01T02:00:00Z',
      component_ids: [comp],
      scheduled_auto_in_progress: false,
      scheduled_remind_prior: true,
      auto_transition_to_maintenance_state: true,
      auto_transition_deliver_notifications_at_end: true,
      auto_tweet_on_creation: false,
    },
  });
  assert.equal(scheduled.status, 'scheduled');
  assert.equal(scheduled.scheduled_auto_in_progress, false);
  assert.deepEqual(fields(scheduled), [
    'maintenance.auto_tweet_on_creation',
    'maintenance.scheduled_remind_prior',
    'maintenance.auto_transition_to_maintenance_state',
    'maintenance.auto_transition_deliver_notifications_at_end',
  ]);
  const other = await call('POST', '/maintenances', {
    name: 'Live',
    status: 'in_progress',
    scheduled_for: '2030-01-01T00:00:00Z',
    scheduled_until: '2030-01-01T02:00:00Z',
  });
  assert.equal(other.status, 400, 'a new maintenance is scheduled, never anything else');
});

test("a component group's description is taken beside the wrapper, as Statuspage sends it", async () => {
  const group = await ok('POST', '/component-groups', {
    description: 'What customers reach.',
    component_group: { name: 'Edge', components: [] },
  });
  assert.equal(group.description, 'What customers reach.');
  assert.ok(!('warnings' in group));
  const twice = await call('PATCH', `/component-groups/${group.id}`, {
    description: 'One.',
    component_group: { description: 'Two.' },
  });
  assert.equal(twice.status, 400);
  assert.equal((await ok('GET', `/component-groups/${group.id}`)).description, 'What customers reach.');
});

test("a subscriber takes Statuspage's phone_country, and warns of what it ignores", async () => {
  const added = await ok('POST', '/subscribers', {
    subscriber: { phone_number: '201 555 0123', phone_country: 'us', skip_confirmation_notification: true },
  });
  assert.equal(added.phone_number, '+12015550123');
  assert.deepEqual(fields(added), ['subscriber.skip_confirmation_notification']);
  const unknownCountry = await call('POST', '/subscribers', {
    phone_number: '2015550124',
    phone_country: 'ZZ',
  });
  assert.equal(unknownCountry.status, 400);
});

test('docs/api.md lists every Statuspage field Crier accepts and ignores, body by body', () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const sections = new Map<string, string[]>();
  let heading = '';
  for (const line of doc.split('\n')) {
    const h = /^### (.+)$/.exec(line);
    if (h) heading = h[1] as string;
    const row = /^\| `([a-z_]+)` \|/.exec(line);
    if (row && heading) sections.set(heading, [...(sections.get(heading) ?? []), row[1] as string]);
  }
  const expected = {
    '`POST /incidents`, `PATCH /incidents/:id`': ignoredOnIncidents,
    '`POST /incidents/:id/updates`': ignoredOnUpdates,
    '`PATCH /incidents/:id/updates/:uid`': ignoredOnCorrections,
    '`POST /maintenances`': ignoredOnMaintenances,
    '`POST /subscribers`': ignoredOnSubscribers,
  };
  for (const [section, table] of Object.entries(expected)) {
    assert.deepEqual(sections.get(section)?.sort(), Object.keys(table).sort(), `docs/api.md, ${section}`);
  }
  assert.deepEqual([...sections.keys()].sort(), Object.keys(expected).sort());
});
