/**
 * The OpenAPI document clients are generated from: every admin route is in it with an
 * operationId, a summary, tags, a response schema and its errors; the public routes in it
 * need no token; and lists link their pages (RFC 8288). `npm run lint` lints the same
 * document with Redocly (tools/openapi/generate.ts --check).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pageLinks } from '../../src/http/admin/list.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

interface Operation {
  operationId?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  responses: Record<
    string,
    { content?: Record<string, { schema?: unknown }>; headers?: Record<string, unknown> }
  >;
}
interface Document {
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
}

let t: TestApp;
let doc: Document;
before(async () => {
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' });
  const res = await t.app.server.inject('/api/v1/openapi.json');
  assert.equal(res.statusCode, 200);
  doc = JSON.parse(res.body) as Document;
});
after(async () => t.close());

const openapiPath = (url: string) => url.replace(/:([a-zA-Z_]+)/g, '{$1}');

function operations(): { method: string; path: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

test('every admin route is documented with an operationId, a summary, tags and its response schemas', () => {
  const tags = new Set(doc.tags.map((tag) => tag.name));
  const ids = new Set<string>();
  for (const route of t.app.server.adminRoutes) {
    const where = `${route.method} ${route.url}`;
    const op = doc.paths[openapiPath(route.url)]?.[route.method.toLowerCase()];
    assert.ok(op, `${where} is not in the document`);
    assert.match(op.operationId ?? '', /^[a-z][A-Za-z]+$/, `${where}: operationId`);
    assert.ok(!ids.has(op.operationId ?? ''), `${where}: operationId ${op.operationId} is taken`);
    ids.add(op.operationId ?? '');
    assert.ok((op.summary ?? '').length > 5, `${where}: summary`);
    assert.ok(op.tags?.length && op.tags.every((tag) => tags.has(tag)), `${where}: tags ${op.tags}`);
    assert.equal(op.security, undefined, `${where} needs a token, as the document's default says`);
    const success = Object.entries(op.responses).filter(([status]) => /^2\d\d$/.test(status));
    assert.equal(success.length, 1, `${where}: one success response`);
    const [[status, response]] = success as [[string, Operation['responses'][string]]];
    if (status !== '204') {
      const schemas = Object.values(response.content ?? {}).map((c) => c.schema);
      assert.ok(schemas.length > 0 && schemas.every(Boolean), `${where}: no response schema for ${status}`);
    }
    for (const error of ['4XX', '5XX']) {
      assert.deepEqual(
        op.responses[error]?.content?.['application/json']?.schema,
        { $ref: '#/components/schemas/Error' },
        `${where}: ${error}`,
      );
    }
  }
});

test('the public routes in the document are marked as needing no token; pages for browsers are not in it', () => {
  const open = operations().filter(({ path }) => !path.startsWith('/api/v1/'));
  assert.ok(open.some(({ path }) => path === '/api/v2/summary.json'));
  assert.ok(open.some(({ path }) => path === '/healthz'));
  for (const { method, path, op } of open) {
    assert.deepEqual(op.security, [], `${method} ${path}`);
    assert.ok(op.operationId && op.summary && op.tags?.length, `${method} ${path}`);
  }
  for (const hidden of ['/', '/subscribe', '/events', '/assets/{file}', '/api/v1/openapi.json']) {
    assert.equal(doc.paths[hidden], undefined, `${hidden} is for browsers (or is the document itself)`);
  }
});

test('paginated lists document their paging headers', () => {
  const list = doc.paths['/api/v1/incidents']?.get;
  assert.ok(list?.responses['200']?.headers?.link);
  assert.ok(list?.responses['200']?.headers?.['x-total-count']);
  assert.equal(doc.paths['/api/v1/components']?.get?.responses['200']?.headers, undefined);
});

test('pageLinks: first and last always, prev and next where there is one', () => {
  assert.equal(
    pageLinks('/api/v1/x', 1, 1),
    '</api/v1/x?page=1>; rel="first", </api/v1/x?page=1>; rel="last"',
  );
  assert.equal(
    pageLinks('/api/v1/x?q=a%20b&page=2&per_page=5', 2, 3),
    [
      '</api/v1/x?q=a+b&page=1&per_page=5>; rel="first"',
      '</api/v1/x?q=a+b&page=1&per_page=5>; rel="prev"',
      '</api/v1/x?q=a+b&page=3&per_page=5>; rel="next"',
      '</api/v1/x?q=a+b&page=3&per_page=5>; rel="last"',
    ].join(', '),
  );
  // Past the end: prev leads back to the last page, and there is no next.
  assert.equal(
    pageLinks('/api/v1/x?page=9', 9, 3),
    '</api/v1/x?page=1>; rel="first", </api/v1/x?page=3>; rel="prev", </api/v1/x?page=3>; rel="last"',
  );
});

test('a paginated list answers Link headers that walk every page, filters kept', async () => {
  for (let i = 1; i <= 5; i += 1) {
    const res = await t.app.server.inject({
      method: 'POST',
      url: '/api/v1/incidents',
      headers: t.auth('admin'),
      payload: { name: `Incident ${i}`, body: `Some requests fail (${i}).` },
    });
    assert.equal(res.statusCode, 201, res.body);
  }
  const links = (header: unknown) =>
    Object.fromEntries(
      String(header)
        .split(', ')
        .map((part) => {
          const [, target, rel] = /^<([^>]+)>; rel="([a-z]+)"$/.exec(part) ?? [];
          return [rel, target];
        }),
    ) as Record<string, string>;

  const first = await t.app.server.inject({
    url: '/api/v1/incidents?state=unresolved&per_page=2',
    headers: t.auth('viewer'),
  });
  assert.equal(first.statusCode, 200);
  assert.equal(first.headers['x-total-pages'], '3');
  const firstLinks = links(first.headers.link);
  assert.deepEqual(Object.keys(firstLinks).sort(), ['first', 'last', 'next']);
  assert.equal(firstLinks.last, '/api/v1/incidents?state=unresolved&per_page=2&page=3');

  const names: string[] = (JSON.parse(first.body) as { name: string }[]).map((i) => i.name);
  let next: string | undefined = firstLinks.next;
  while (next) {
    const res = await t.app.server.inject({ url: next, headers: t.auth('viewer') });
    assert.equal(res.statusCode, 200);
    names.push(...(JSON.parse(res.body) as { name: string }[]).map((i) => i.name));
    const l = links(res.headers.link);
    assert.ok(l.prev?.includes('state=unresolved&per_page=2'), String(res.headers.link));
    next = l.next;
  }
  assert.deepEqual(names.sort(), ['Incident 1', 'Incident 2', 'Incident 3', 'Incident 4', 'Incident 5']);
});
