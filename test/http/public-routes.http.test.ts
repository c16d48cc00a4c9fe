/**
 * Every route that is not the admin API (status page, public API, feeds,
 * subscribe, inbound webhooks, health, metrics), walked from the server's own
 * route table: no input, however malformed, gets a 500.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { ADMIN_PREFIX } from '../../src/http/server.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

let t: TestApp;
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
});
after(async () => t.close());

const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '../../etc/passwd',
    '%00',
    '%ff%fe',
    "' or 1=1 --",
    'a'.repeat(300),
    '😀',
    '',
  ),
);

const bodies = fc.oneof(
  fc.record({
    type: fc.constant('application/json'),
    payload: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  }),
  fc.record({
    type: fc.constant('application/json'),
    payload: fc
      .dictionary(
        fc.constantFrom(
          'email',
          'phone',
          'webhook',
          'slack',
          'teams',
          'discord',
          'push',
          'component_ids',
          'List-Unsubscribe',
        ),
        fc.oneof(hostile, fc.array(hostile, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
      )
      .map((v) => JSON.stringify(v)),
  }),
  fc.record({
    type: fc.constant('application/x-www-form-urlencoded'),
    payload: fc
      .dictionary(fc.constantFrom('email', 'phone', 'webhook', 'component_ids', 'Body', 'From'), hostile)
      .map((v) => new URLSearchParams(v).toString()),
  }),
  fc.record({
    type: fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data'),
    payload: hostile,
  }),
);

test('the route table has public routes besides the admin API', () => {
  const urls = t.app.server.routes.filter((r) => !r.url.startsWith(ADMIN_PREFIX)).map((r) => r.url);
  for (const expected of ['/', '/healthz', '/readyz'])
    assert.ok(urls.includes(expected), `missing ${expected}`);
});

test('no input to any public route produces a 500', async () => {
  // `/events` streams until the client leaves; it has its own tests.
  const publicRoutes = t.app.server.routes.filter(
    (r) => !r.url.startsWith(ADMIN_PREFIX) && r.method !== 'OPTIONS' && r.url !== '/events',
  );
  assert.ok(publicRoutes.length >= 5);
  for (const r of publicRoutes) {
    await fc.assert(
      fc.asyncProperty(
        hostile,
        fc.dictionary(fc.constantFrom('component', 'q', 'page', 'token', 'since'), hostile),
        bodies,
        async (param, query, body) => {
          const path = r.url
            .replace(/:[a-zA-Z_]+/g, encodeURIComponent(param) || 'x')
            .replace('*', encodeURIComponent(param));
          const url = `${path}?${new URLSearchParams(query).toString()}`;
          const sendsBody = r.method !== 'GET' && r.method !== 'DELETE';
          const res = await t.app.server.inject({
            method: r.method as 'GET',
            url,
            ...(sendsBody && { payload: body.payload, headers: { 'content-type': body.type } }),
          });
          assert.ok(
            res.statusCode < 500,
            `${r.method} ${url} ${sendsBody ? body.payload : ''} → ${res.statusCode} ${res.body.slice(0, 300)}`,
          );
        },
      ),
      { numRuns: 30 },
    );
  }
});
