/**
 * The shared security suite: walks the server's own admin route table, so a
 * route added later is covered without anyone remembering to add it.
 * Every admin route: no credentials → 401; a viewer on any mutating route →
 * 403; a malformed body → 400 with a code; no input at all → never a 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { errorCodes } from '../../src/domain/errors.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    env: { CRIER_IMPORT_MAX_BYTES: String(256 * 1024) },
  });
});
after(async () => t.close());

const mutating = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const fillParams = (url: string) => url.replace(/:[a-zA-Z_]+/g, 'zzzzzzzzzzzz');

function routes() {
  return t.app.server.adminRoutes;
}

function assertErrorBody(body: string, status: number, where: string): string {
  const parsed = JSON.parse(body) as { error?: { code?: string; message?: string; request_id?: string } };
  assert.ok(parsed.error, `${where}: answered ${status} without an error body`);
  assert.ok(
    (errorCodes as readonly string[]).includes(parsed.error.code ?? ''),
    `${where}: unknown code ${parsed.error.code}`,
  );
  assert.ok(parsed.error.message, `${where}: no message`);
  assert.ok(parsed.error.request_id, `${where}: no request_id`);
  return parsed.error.code as string;
}

test('the route table holds every admin resource, and each route names its permission', () => {
  const urls = new Set(routes().map((r) => r.url));
  for (const expected of [
    '/api/v1/components',
    '/api/v1/incidents',
    '/api/v1/maintenances',
    '/api/v1/tokens',
    '/api/v1/audit',
    '/api/v1/component-groups',
  ]) {
    assert.ok(urls.has(expected), `missing ${expected}`);
  }
  for (const r of routes()) assert.ok(r.action, `${r.method} ${r.url} declares no permission`);
});

test('every admin route refuses a request without credentials or with an unknown token (401)', async () => {
  for (const r of routes()) {
    for (const headers of [
      {},
      { authorization: 'Bearer crier_not-a-real-token-at-all' },
      { authorization: 'Basic abc' },
    ]) {
      const res = await t.app.server.inject({
        method: r.method as 'GET',
        url: fillParams(r.url),
        headers,
        payload: r.hasBody ? {} : undefined,
      });
      assert.equal(res.statusCode, 401, `${r.method} ${r.url} with ${JSON.stringify(headers)}`);
      assert.equal(assertErrorBody(res.body, 401, `${r.method} ${r.url}`), 'unauthenticated');
    }
  }
});

test('a viewer token is refused on every mutating admin route (403)', async () => {
  const mutatingRoutes = routes().filter((r) => mutating.has(r.method));
  assert.ok(mutatingRoutes.length >= 10);
  for (const r of mutatingRoutes) {
    const res = await t.app.server.inject({
      method: r.method as 'POST',
      url: fillParams(r.url),
      headers: t.auth('viewer'),
      payload: r.hasBody ? { name: 'x' } : undefined,
    });
    assert.equal(res.statusCode, 403, `${r.method} ${r.url}`);
    assert.equal(assertErrorBody(res.body, 403, `${r.method} ${r.url}`), 'forbidden');
  }
});

test('a malformed body gets 400 with a code on every admin route that takes one', async () => {
  const withBody = routes().filter((r) => r.hasBody);
  assert.ok(withBody.length >= 10);
  const wrongTypes = {
    name: 42,
    body: 42,
    status: 42,
    role: 42,
    component_ids: 'api',
    components: 7,
    scheduled_for: false,
    scheduled_until: [],
    impact_override: 3,
    deliver_notifications: 'yes',
    description: 5,
    audience: 9,
  };
  for (const r of withBody) {
    const cases: { payload: string; type: string; codes: string[] }[] = [
      { payload: '{"name": ', type: 'application/json', codes: ['malformed_request'] },
      { payload: '[1,2,3]', type: 'application/json', codes: ['validation_failed'] },
      { payload: JSON.stringify(wrongTypes), type: 'application/json', codes: ['validation_failed'] },
      { payload: 'name=x', type: 'text/plain', codes: ['unsupported_media_type'] },
    ];
    for (const c of cases) {
      const res = await t.app.server.inject({
        method: r.method as 'POST',
        url: fillParams(r.url),
        headers: { ...t.auth('admin'), 'content-type': c.type },
        payload: c.payload,
      });
      const where = `${r.method} ${r.url} with ${c.payload}`;
      assert.ok(res.statusCode === 400 || res.statusCode === 415, `${where}: ${res.statusCode} ${res.body}`);
      assert.ok(c.codes.includes(assertErrorBody(res.body, res.statusCode, where)), `${where}: ${res.body}`);
    }
  }
});

test('an oversized body is refused with 413 and changes nothing', async () => {
  const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/components',
    headers: { ...t.auth('admin'), 'content-type': 'application/json' },
    payload: big,
  });
  assert.equal(res.statusCode, 413);
  assert.equal(assertErrorBody(res.body, 413, 'oversized'), 'payload_too_large');
  const list = await t.app.server.inject({
    method: 'GET',
    url: '/api/v1/components',
    headers: t.auth('admin'),
  });
  assert.deepEqual(JSON.parse(list.body), []);
});

test('every route that takes a body has a limit, whatever the content type (413 or 415)', async () => {
  // The test app's CSV import limit is below the JSON limit, so one size is over every limit.
  const over = 2 * 1024 * 1024 + 1;
  const types = [
    'application/json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/csv',
    'application/yaml',
    'application/octet-stream',
  ];
  const withBody = t.app.server.routes.filter((r) => [...mutating, 'OPTIONS'].includes(r.method));
  assert.ok(withBody.length >= 30, `only ${withBody.length} routes`);
  assert.ok(withBody.some((r) => r.url === '/subscribe'));
  assert.ok(withBody.some((r) => r.url === '/api/v1/subscribers/import'));
  const payload = Buffer.alloc(over, 'a');
  for (const r of withBody) {
    for (const type of types) {
      const res = await t.app.server.inject({
        method: r.method as 'POST',
        url: fillParams(r.url).replace('*', 'x'),
        headers: { ...t.auth('admin'), 'content-type': type },
        payload,
      });
      const where = `${r.method} ${r.url} as ${type}`;
      assert.ok(res.statusCode === 413 || res.statusCode === 415, `${where}: ${res.statusCode} ${res.body}`);
    }
  }
});

test('no input to any admin route produces a 500', async () => {
  const json = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.dictionary(
      fc.constantFrom(
        'name',
        'body',
        'status',
        'components',
        'component_ids',
        'role',
        'scheduled_for',
        'scheduled_until',
        'impact_override',
        'audience',
        'eta',
        'group_id',
        'component',
        'incident',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  );
  const query = fc.dictionary(
    fc.constantFrom('page', 'per_page', 'state', 'q', 'subject_id'),
    fc.string({ maxLength: 20 }),
  );
  for (const r of routes()) {
    await fc.assert(
      fc.asyncProperty(json, query, fc.string({ maxLength: 80 }), async (payload, q, id) => {
        const url = `${r.url.replace(/:[a-zA-Z_]+/g, encodeURIComponent(id) || 'x')}?${new URLSearchParams(q).toString()}`;
        const res = await t.app.server.inject({
          method: r.method as 'POST',
          url,
          headers: t.auth('admin'),
          ...(r.hasBody
            ? {
                payload: JSON.stringify(payload),
                headers: { ...t.auth('admin'), 'content-type': 'application/json' },
              }
            : {}),
        });
        assert.ok(
          res.statusCode < 500,
          `${r.method} ${url} ${JSON.stringify(payload)} → ${res.statusCode} ${res.body}`,
        );
      }),
      { numRuns: 25 },
    );
  }
});
