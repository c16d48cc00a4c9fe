import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

async function call(
  t: TestApp,
  method: string,
  url: string,
  payload?: unknown,
  role: Parameters<TestApp['auth']>[0] = 'admin',
) {
  const res = await t.app.server.inject({
    method: method as 'GET',
    url,
    headers: t.auth(role),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  return {
    status: res.statusCode,
    body: res.body ? (JSON.parse(res.body) as Record<string, unknown> & unknown[]) : null,
    headers: res.headers,
  };
}

for (const dialect of dialects) {
  test(`components and groups: create, edit, reorder, group, delete [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const api = await call(t, 'POST', '/api/v1/components', { name: 'API', description: 'REST API' });
      assert.equal(api.status, 201);
      // Statuspage's wrapped body shape is accepted too.
      const web = await call(t, 'POST', '/api/v1/components', {
        component: { name: 'Website', status: 'degraded_performance' },
      });
      assert.equal(web.status, 201);
      assert.equal(web.body?.status, 'degraded_performance');

      const group = await call(t, 'POST', '/api/v1/component-groups', {
        name: 'Core',
        components: [api.body?.id],
      });
      assert.equal(group.status, 201);
      assert.deepEqual(group.body?.components, [api.body?.id]);

      const edited = await call(t, 'PATCH', `/api/v1/components/${api.body?.id}`, {
        status: 'major_outage',
        name: 'Public API',
      });
      assert.equal(edited.body?.status, 'major_outage');
      assert.equal(edited.body?.name, 'Public API');
      assert.equal(edited.body?.group_id, group.body?.id);

      const order = await call(t, 'POST', '/api/v1/components/reorder', {
        component_ids: [web.body?.id, api.body?.id],
      });
      assert.deepEqual(
        (order.body as { id: string }[]).map((c) => c.id),
        [web.body?.id, api.body?.id],
      );

      const missing = await call(t, 'PATCH', '/api/v1/components/nope', { name: 'x' });
      assert.equal(missing.status, 404);
      assert.equal(
        (missing.body as unknown as { error: { code: string } }).error.code,
        'component_not_found',
      );

      const badGroup = await call(t, 'POST', '/api/v1/components', { name: 'X', group_id: 'nope' });
      assert.equal(badGroup.status, 404);

      assert.equal((await call(t, 'DELETE', `/api/v1/component-groups/${group.body?.id}`)).status, 204);
      assert.equal((await call(t, 'GET', `/api/v1/components/${api.body?.id}`)).body?.group_id, null);
      assert.equal((await call(t, 'DELETE', `/api/v1/components/${web.body?.id}`)).status, 204);
      assert.equal((await call(t, 'GET', '/api/v1/components')).body?.length, 1);

      const audit = await call(t, 'GET', '/api/v1/audit?per_page=100');
      const actions = (audit.body as { action: string; actor: string }[]).map((a) => a.action);
      for (const a of [
        'component.create',
        'component.update',
        'component.reorder',
        'component_group.create',
        'component_group.delete',
        'component.delete',
      ]) {
        assert.ok(actions.includes(a), `audit has ${a}`);
      }
      assert.equal((audit.body as { actor: string }[])[0]?.actor, 'token:test-admin');
    } finally {
      await t.close();
    }
  });

  test(`incidents: declare, update, resolve, edit, list with paging [${dialect.name}]`, async () => {
    const clock = new TestClock();
    const t = await startTestApp(dialect, { clock });
    try {
      const api = (await call(t, 'POST', '/api/v1/components', { name: 'API' })).body;
      const declared = await call(
        t,
        'POST',
        '/api/v1/incidents',
        {
          incident: {
            name: 'API errors',
            status: 'investigating',
            body: 'Some API calls fail.',
            components: { [String(api?.id)]: 'partial_outage' },
            impact_override: 'critical',
          },
        },
        'responder',
      );
      assert.equal(declared.status, 201);
      const id = String(declared.body?.id);
      assert.equal(declared.body?.impact, 'critical');
      clock.advance(60_000);
      const update = await call(
        t,
        'POST',
        `/api/v1/incidents/${id}/updates`,
        { status: 'identified', body: 'Found the cause.' },
        'responder',
      );
      assert.equal(update.status, 201);
      assert.equal(update.body?.status, 'identified');

      const bad = await call(t, 'POST', `/api/v1/incidents/${id}/updates`, {
        status: 'postmortem',
        body: 'x',
      });
      assert.equal(bad.status, 409);
      assert.equal((bad.body as unknown as { error: { code: string } }).error.code, 'transition_not_allowed');

      const responderResolve = await call(t, 'POST', `/api/v1/incidents/${id}/resolve`, {}, 'responder');
      assert.equal(responderResolve.status, 403);
      const resolved = await call(
        t,
        'POST',
        `/api/v1/incidents/${id}/resolve`,
        { body: 'All good.' },
        'incident_lead',
      );
      assert.equal(resolved.status, 200);
      assert.equal(resolved.body?.status, 'resolved');
      assert.equal(
        (resolved.body as unknown as { components: { status: string }[] }).components[0]?.status,
        'operational',
      );

      const uid = String((update.body as Record<string, unknown>).id);
      const edit = await call(t, 'PATCH', `/api/v1/incidents/${id}/updates/${uid}`, {
        body: 'We found the cause.',
      });
      assert.equal(edit.body?.body, 'We found the cause.');
      const shown = await call(t, 'GET', `/api/v1/incidents/${id}/updates/${uid}`);
      assert.equal((shown.body as unknown as { edits: unknown[] }).edits.length, 1);

      for (let i = 0; i < 3; i += 1) await call(t, 'POST', '/api/v1/incidents', { name: `Other ${i}` });
      const page1 = await call(t, 'GET', '/api/v1/incidents?per_page=3&page=1');
      assert.equal(page1.body?.length, 3);
      assert.equal(page1.headers['x-total-count'], '4');
      assert.equal(page1.headers['x-total-pages'], '2');
      const unresolved = await call(t, 'GET', '/api/v1/incidents?state=unresolved');
      assert.equal(unresolved.body?.length, 3);
      const badPage = await call(t, 'GET', '/api/v1/incidents?per_page=1000');
      assert.equal(badPage.status, 400);
    } finally {
      await t.close();
    }
  });

  test(`maintenances: schedule, start, complete, and refuse impossible moves [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const db = (await call(t, 'POST', '/api/v1/components', { name: 'Database' })).body;
      const bad = await call(t, 'POST', '/api/v1/maintenances', {
        name: 'Upgrade',
        scheduled_for: '2026-02-01T12:00:00Z',
        scheduled_until: '2026-02-01T10:00:00Z',
      });
      assert.equal(bad.status, 400);
      const m = await call(t, 'POST', '/api/v1/maintenances', {
        name: 'Upgrade',
        scheduled_for: '2026-02-01T10:00:00+01:00',
        scheduled_until: '2026-02-01T12:00:00+01:00',
        component_ids: [db?.id],
      });
      assert.equal(m.status, 201);
      assert.equal(m.body?.scheduled_for, '2026-02-01T09:00:00.000Z');
      const id = String(m.body?.id);
      const started = await call(t, 'POST', `/api/v1/maintenances/${id}/start`, {});
      assert.equal(started.body?.status, 'in_progress');
      assert.equal((await call(t, 'GET', `/api/v1/components/${db?.id}`)).body?.status, 'under_maintenance');
      const done = await call(t, 'POST', `/api/v1/maintenances/${id}/complete`, { body: 'Done.' });
      assert.equal(done.body?.status, 'completed');
      assert.equal((await call(t, 'GET', `/api/v1/components/${db?.id}`)).body?.status, 'operational');
      const again = await call(t, 'POST', `/api/v1/maintenances/${id}/start`);
      assert.equal(again.status, 409);
    } finally {
      await t.close();
    }
  });

  test(`tokens: the secret is shown once, works, and stops working when revoked [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const created = await call(t, 'POST', '/api/v1/tokens', { name: 'ci', role: 'responder' });
      assert.equal(created.status, 201);
      const secret = String(created.body?.token);
      assert.match(secret, /^crier_/);
      const list = await call(t, 'GET', '/api/v1/tokens');
      assert.ok(!JSON.stringify(list.body).includes(secret), 'the list never shows a secret');
      const headers = { authorization: `Bearer ${secret}` };
      assert.equal(
        (await t.app.server.inject({ method: 'GET', url: '/api/v1/incidents', headers })).statusCode,
        200,
      );
      assert.equal((await call(t, 'DELETE', `/api/v1/tokens/${created.body?.id}`)).status, 200);
      assert.equal(
        (await t.app.server.inject({ method: 'GET', url: '/api/v1/incidents', headers })).statusCode,
        401,
      );
      assert.equal((await call(t, 'GET', '/api/v1/tokens', undefined, 'comms_lead')).status, 403);
    } finally {
      await t.close();
    }
  });
}

test('health, readiness, OpenAPI and JSON 404s', async () => {
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
  try {
    assert.equal((await t.app.server.inject('/healthz')).statusCode, 200);
    const ready = await t.app.server.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    const { checks } = JSON.parse(ready.body) as { checks: Record<string, string> };
    assert.equal(checks.database, 'ok');
    assert.equal(checks.migrations, 'ok');
    const openapi = JSON.parse((await t.app.server.inject('/api/v1/openapi.json')).body);
    assert.equal(openapi.openapi, '3.1.0');
    assert.ok(openapi.paths['/api/v1/incidents'].post.requestBody);
    const missing = await t.app.server.inject({
      url: '/api/v1/nothing-here',
      headers: { 'x-request-id': 'abc-123' },
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['x-request-id'], 'abc-123');
    assert.equal(JSON.parse(missing.body).error.request_id, 'abc-123');
  } finally {
    await t.close();
  }
});

test('a wrapped body with bad fields is refused, not read as an empty bare one', async () => {
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
  try {
    const api = await call(t, 'POST', '/api/v1/components', { name: 'API' });
    const bad = await call(t, 'PATCH', `/api/v1/components/${api.body?.id}`, {
      component: { status: 'on_fire' },
    });
    assert.equal(bad.status, 400);
    const good = await call(t, 'PATCH', `/api/v1/components/${api.body?.id}`, {
      component: { status: 'major_outage' },
    });
    assert.equal(good.body?.status, 'major_outage');
    const incident = await call(t, 'POST', '/api/v1/incidents', { name: 'X' });
    assert.equal(
      (await call(t, 'PATCH', `/api/v1/incidents/${incident.body?.id}`, { incident: { name: 5 } })).status,
      400,
    );
  } finally {
    await t.close();
  }
});

test("PATCH on an incident works as Statuspage's: fields, and an update when a status or body is given", async () => {
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
  try {
    const api = await call(t, 'POST', '/api/v1/components', { name: 'API' });
    const incident = await call(t, 'POST', '/api/v1/incidents', { name: 'Errors' });
    const id = String(incident.body?.id);
    const patched = await call(t, 'PATCH', `/api/v1/incidents/${id}`, {
      incident: {
        name: 'API errors',
        status: 'identified',
        body: 'Found it.',
        components: { [String(api.body?.id)]: 'partial_outage' },
      },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body?.name, 'API errors');
    assert.equal(patched.body?.status, 'identified');
    const updates = patched.body?.incident_updates as unknown as { body: string }[];
    assert.equal(updates.length, 2);
    assert.equal(updates[0]?.body, 'Found it.');
    assert.equal((await call(t, 'GET', `/api/v1/components/${api.body?.id}`)).body?.status, 'partial_outage');

    const renamed = await call(t, 'PATCH', `/api/v1/incidents/${id}`, { name: 'API errors in Europe' });
    assert.equal(
      (renamed.body as unknown as { incident_updates: unknown[] }).incident_updates.length,
      2,
      'no update for a rename',
    );

    const refused = await call(t, 'PATCH', `/api/v1/incidents/${id}`, {
      name: 'Changed',
      status: 'postmortem',
      body: 'x',
    });
    assert.equal(refused.status, 409);
    assert.equal(
      (await call(t, 'GET', `/api/v1/incidents/${id}`)).body?.name,
      'API errors in Europe',
      'all or nothing',
    );
  } finally {
    await t.close();
  }
});
