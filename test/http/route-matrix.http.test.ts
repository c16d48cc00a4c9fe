/**
 * The shared security suite: walks the server's own admin route table, so a
 * route added later is covered without anyone remembering to add it.
 * Every admin route: no credentials → 401; a viewer on any mutating route →
 * 403; a malformed body → 400 with a code; no input at all → never a 500.
 * Then every role × every effect (each status move, each way to move a
 * component or change the component list, each read of contacts, tokens and
 * the audit log), by every path that leads to it: allowed exactly where the
 * README's role table marks it (test/domain/role-table.test.ts holds the
 * table to `can`), and where refused, a 403 that changed nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { errorCodes } from '../../src/domain/errors.ts';
import { type Action, can, type Role, roles } from '../../src/domain/permissions.ts';
import { confirmedSubscriber, dialects } from '../helpers/db.ts';
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

// ---- every role × every effect, by every path ----

interface Answer {
  status: number;
  body: unknown;
}

async function call(role: Role, method: string, url: string, payload?: unknown): Promise<Answer> {
  const res = await t.app.server.inject({
    method: method as 'GET',
    url: `/api/v1${url}`,
    headers: t.auth(role),
    ...(payload !== undefined && { payload: payload as Record<string, unknown> }),
  });
  const json = /json/.test(String(res.headers['content-type'])) && res.body ? JSON.parse(res.body) : res.body;
  return { status: res.statusCode, body: json };
}

async function admin<T>(method: string, url: string, payload?: unknown): Promise<T> {
  const res = await call('admin', method, url, payload);
  assert.ok(res.status < 300, `${method} ${url}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

async function total(url: string): Promise<number> {
  const res = await t.app.server.inject({ method: 'GET', url: `/api/v1${url}`, headers: t.auth('admin') });
  return Number(res.headers['x-total-count'] ?? (JSON.parse(res.body) as unknown[]).length);
}

/** Components made for one effect, deleted after it, so that the page each change renders stays small. */
const made: string[] = [];

async function component(): Promise<string> {
  const { id } = await admin<{ id: string }>('POST', '/components', { name: `C ${made.length}` });
  made.push(id);
  return id;
}

async function cleanUp(): Promise<void> {
  for (const id of made.splice(0)) await call('admin', 'DELETE', `/components/${id}`);
}

async function componentStatus(id: string): Promise<string> {
  return (await admin<{ status: string }>('GET', `/components/${id}`)).status;
}

/**
 * An incident in `status`, declared and moved by an admin, for internal eyes only (a page of
 * hundreds of public incidents would make every change slow to render); with `comp`, affecting a
 * fresh component in partial outage.
 */
async function incident(status = 'investigating', withComponent = false) {
  const comp = withComponent ? await component() : '';
  const { id } = await admin<{ id: string }>('POST', '/incidents', {
    name: 'Matrix',
    body: 'Some requests fail.',
    audience: 'internal',
    components: withComponent ? { [comp]: 'partial_outage' } : {},
  });
  if (status !== 'investigating') {
    await admin('POST', `/incidents/${id}/updates`, { status, body: `Now ${status}.`, audience: 'internal' });
  }
  return { id, comp };
}

async function incidentStatus(id: string): Promise<string> {
  return (await admin<{ status: string }>('GET', `/incidents/${id}`)).status;
}

/** Drafts as `role`, then submits as `role`: with no plan, a submitted draft is published at once. */
async function draftAndSubmit(role: Role, id: string, draft: Record<string, unknown>): Promise<Answer> {
  const created = await call(role, 'POST', `/incidents/${id}/drafts`, { body: 'Words.', ...draft });
  if (created.status !== 201) return created;
  return call(role, 'POST', `/incidents/${id}/updates/${(created.body as { id: string }).id}/submit`, {});
}

/**
 * One effect by one path. `setup` makes what it acts on; a refusal leaves it as it was, so the
 * next role acts on the same, and a new one is made only after someone was allowed.
 */
interface Effect<F> {
  name: string;
  /** Every permission the path needs: the route's and the effect's. */
  needs: Action[];
  setup(): Promise<F>;
  act(role: Role, f: F): Promise<Answer>;
  happened(f: F): Promise<boolean>;
}

/** An effect whatever its fixture's type: the loop only hands back what `setup` made. */
type AnyEffect = Effect<unknown>;

function effect<F>(e: Effect<F>): AnyEffect {
  return e as unknown as AnyEffect;
}

type Move = { id: string; comp: string };
type Drafted = Move & { draft: string };

function statusMoves(from: string, to: string, needs: Action[]): AnyEffect[] {
  const setup = () => incident(from);
  const happened = async (f: Move) => (await incidentStatus(f.id)) === to;
  const via = (name: string, act: (role: Role, f: Move) => Promise<Answer>) =>
    effect({ name: `${from} → ${to} by ${name}`, needs, setup, act, happened });
  return [
    via('POST /incidents/:id/updates', (role, f) =>
      call(role, 'POST', `/incidents/${f.id}/updates`, { status: to, body: 'Words.' }),
    ),
    via('PATCH /incidents/:id', (role, f) => call(role, 'PATCH', `/incidents/${f.id}`, { status: to })),
    via('a draft, submitted', (role, f) => draftAndSubmit(role, f.id, { status: to })),
  ];
}

const resolving: Action[] = ['incident.update', 'incident.resolve'];
const moving: Action[] = ['incident.update', 'component.status'];

function resolutions(): AnyEffect[] {
  const resolved = async (f: { id: string }) => (await incidentStatus(f.id)) === 'resolved';
  /** An open incident with a draft that resolves it, written by an admin. */
  const resolvingDraft = async (): Promise<Drafted> => {
    const f = await incident();
    const draft = await admin<{ id: string }>('POST', `/incidents/${f.id}/drafts`, {
      status: 'resolved',
      body: 'Fixed.',
    });
    return { ...f, draft: draft.id };
  };
  return [
    ...statusMoves('investigating', 'resolved', resolving),
    ...statusMoves('monitoring', 'resolved', resolving),
    effect<Drafted>({
      name: 'investigating → resolved by a draft an admin wrote, submitted',
      needs: resolving,
      setup: resolvingDraft,
      act: (role, f) => call(role, 'POST', `/incidents/${f.id}/updates/${f.draft}/submit`, {}),
      happened: resolved,
    }),
    effect<Drafted>({
      name: 'investigating → resolved by publishing a draft (POST …/publish)',
      needs: ['update.publish', 'incident.resolve'],
      setup: resolvingDraft,
      act: (role, f) => call(role, 'POST', `/incidents/${f.id}/updates/${f.draft}/publish`, {}),
      happened: resolved,
    }),
    effect({
      name: 'investigating → resolved by POST /incidents/:id/resolve, its components back to operational',
      needs: ['incident.resolve'],
      setup: () => incident('investigating', true),
      act: (role, f) => call(role, 'POST', `/incidents/${f.id}/resolve`, {}),
      happened: async (f) => {
        const done = await resolved(f);
        assert.equal(await componentStatus(f.comp), done ? 'operational' : 'partial_outage');
        return done;
      },
    }),
    effect({
      name: 'declaring an incident resolved',
      needs: ['incident.declare', 'incident.resolve'],
      setup: async () => ({ before: await total('/incidents') }),
      act: (role) =>
        call(role, 'POST', '/incidents', {
          name: 'Past',
          body: 'Fixed.',
          status: 'resolved',
          audience: 'internal',
        }),
      happened: async (f) => (await total('/incidents')) > f.before,
    }),
  ];
}

function componentMoves(): AnyEffect[] {
  const happened = async (f: Move) => (await componentStatus(f.comp)) === 'major_outage';
  const worse = (f: Move) => ({ [f.comp]: 'major_outage' });
  const onIncident = (name: string, act: (role: Role, f: Move) => Promise<Answer>) =>
    effect({ name, needs: moving, setup: () => incident('investigating', true), act, happened });
  return [
    effect({
      name: 'move a component by PATCH /components/:id',
      needs: ['component.status'],
      setup: async () => ({ id: '', comp: await component() }),
      act: (role, f) => call(role, 'PATCH', `/components/${f.comp}`, { status: 'major_outage' }),
      happened,
    }),
    onIncident("move a component by an update's components", (role, f) =>
      call(role, 'POST', `/incidents/${f.id}/updates`, { body: 'Worse.', components: worse(f) }),
    ),
    onIncident('move a component by PATCH /incidents/:id', (role, f) =>
      call(role, 'PATCH', `/incidents/${f.id}`, { components: worse(f) }),
    ),
    onIncident("move a component by a draft's components, submitted", (role, f) =>
      draftAndSubmit(role, f.id, { components: worse(f) }),
    ),
    effect({
      name: "move a component by a declaration's components",
      needs: ['incident.declare', 'component.status'],
      setup: async () => ({ id: '', comp: await component() }),
      act: (role, f) =>
        call(role, 'POST', '/incidents', {
          name: 'New',
          body: 'Down.',
          audience: 'internal',
          components: worse(f),
        }),
      happened,
    }),
    effect({
      name: 'move a component by starting a maintenance',
      needs: ['maintenance.write', 'component.status'],
      setup: async () => {
        const comp = await component();
        const m = await admin<{ id: string }>('POST', '/maintenances', {
          name: 'Upgrade',
          scheduled_for: '2030-01-01T00:00:00Z',
          scheduled_until: '2030-01-01T02:00:00Z',
          component_ids: [comp],
        });
        return { id: m.id, comp };
      },
      act: (role, f) => call(role, 'POST', `/maintenances/${f.id}/start`, {}),
      happened: async (f) => (await componentStatus(f.comp)) === 'under_maintenance',
    }),
  ];
}

function componentManagement(): AnyEffect[] {
  const needs: Action[] = ['component.manage'];
  const named = async (comp: string) => (await admin<{ name: string }>('GET', `/components/${comp}`)).name;
  const group = async () =>
    (
      await admin<{ id: string }>('POST', '/component-groups', {
        name: 'G',
        components: [await component()],
      })
    ).id;
  const gone = async (url: string) => (await call('admin', 'GET', url)).status === 404;
  return [
    effect({
      name: 'create a component',
      needs,
      setup: async () => total('/components'),
      act: (role) => call(role, 'POST', '/components', { name: 'New' }),
      happened: async (before) => (await total('/components')) > before,
    }),
    effect({
      name: 'rename a component',
      needs,
      setup: component,
      act: (role, comp) => call(role, 'PATCH', `/components/${comp}`, { name: 'Renamed' }),
      happened: async (comp) => (await named(comp)) === 'Renamed',
    }),
    effect({
      name: 'rename a component and set its status at once',
      needs: ['component.manage', 'component.status'],
      setup: component,
      act: (role, comp) =>
        call(role, 'PATCH', `/components/${comp}`, { name: 'Both', status: 'major_outage' }),
      happened: async (comp) => {
        const [name, status] = [await named(comp), await componentStatus(comp)];
        assert.equal(name === 'Both', status === 'major_outage', 'all or nothing');
        return name === 'Both';
      },
    }),
    effect({
      name: 'delete a component',
      needs,
      setup: component,
      act: (role, comp) => call(role, 'DELETE', `/components/${comp}`),
      happened: (comp) => gone(`/components/${comp}`),
    }),
    effect({
      name: 'reorder components',
      needs,
      setup: async () => [await component(), await component()] as const,
      act: (role, [a, b]) => call(role, 'POST', '/components/reorder', { component_ids: [b, a] }),
      happened: async ([a, b]) => {
        const ids = (await admin<{ id: string }[]>('GET', '/components')).map((c) => c.id);
        return ids.indexOf(b) < ids.indexOf(a);
      },
    }),
    effect({
      name: 'create a component group',
      needs,
      setup: async () => ({ comp: await component(), before: await total('/component-groups') }),
      act: (role, f) => call(role, 'POST', '/component-groups', { name: 'G', components: [f.comp] }),
      happened: async (f) => (await total('/component-groups')) > f.before,
    }),
    effect({
      name: 'rename a component group',
      needs,
      setup: group,
      act: (role, g) => call(role, 'PATCH', `/component-groups/${g}`, { name: 'H' }),
      happened: async (g) => (await admin<{ name: string }>('GET', `/component-groups/${g}`)).name === 'H',
    }),
    effect({
      name: 'delete a component group',
      needs,
      setup: group,
      act: (role, g) => call(role, 'DELETE', `/component-groups/${g}`),
      happened: (g) => gone(`/component-groups/${g}`),
    }),
  ];
}

/** Reads: contact details, tokens and the audit log each need their permission; counts need only `read`. */
function reads(): AnyEffect[] {
  const contact = 'matrix-reader@example.com';
  let subscriberId = '';
  const read = (name: string, needs: Action[], url: () => string, shows?: string) => {
    let answer: Answer | undefined;
    return effect({
      name,
      needs,
      setup: async () => {
        if (subscriberId !== '') return;
        const row = confirmedSubscriber('email', contact);
        await t.app.db.insertInto('subscribers').values(row).execute();
        subscriberId = row.id;
      },
      act: async (role) => {
        answer = await call(role, 'GET', url());
        return answer;
      },
      happened: async () => {
        assert.ok(answer);
        if (shows !== undefined) {
          const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
          assert.equal(
            text.includes(shows),
            answer.status === 200,
            `${name}: the contact shows only when allowed`,
          );
        }
        return answer.status === 200;
      },
    });
  };
  let updateId = '';
  return [
    read('list subscribers', ['subscriber.read'], () => '/subscribers', contact),
    read('export subscribers', ['subscriber.read'], () => '/subscribers/export', contact),
    read("a subscriber's record", ['subscriber.read'], () => `/subscribers/${subscriberId}`, contact),
    read("a subscriber's delivery log", ['subscriber.read'], () => `/subscribers/${subscriberId}/deliveries`),
    read('the delivery log', ['subscriber.read'], () => '/deliveries'),
    read('subscriber counts', ['read'], () => '/subscribers/counts'),
    {
      ...read('delivery counts of an update', ['read'], () => `/deliveries/summary?update_id=${updateId}`),
      setup: async () => {
        const f = await incident();
        updateId = (await admin<{ incident_updates: { id: string }[] }>('GET', `/incidents/${f.id}`))
          .incident_updates[0]?.id as string;
      },
    },
    read('API tokens', ['token.manage'], () => '/tokens', 'test-viewer'),
    read('users', ['user.manage'], () => '/users'),
    read('the audit log', ['audit.read'], () => '/audit'),
  ];
}

const effects: AnyEffect[] = [
  // Moves between open statuses all take `incident.update`: one stands for them, by every path.
  ...statusMoves('investigating', 'identified', ['incident.update']),
  ...statusMoves('resolved', 'investigating', ['incident.update']).slice(0, 1),
  ...statusMoves('resolved', 'postmortem', ['incident.update']).slice(0, 1),
  ...resolutions(),
  ...componentMoves(),
  ...componentManagement(),
  ...reads(),
];

test('every role × every effect, by every path: allowed exactly where the role table says, else 403 and nothing changes', async () => {
  const refused: string[] = [];
  for (const e of effects) {
    let fixture = await e.setup();
    for (const role of roles) {
      const answer = await e.act(role, fixture);
      const happened = await e.happened(fixture);
      const where = `${role} × ${e.name}: ${answer.status} ${JSON.stringify(answer.body)}`;
      if (e.needs.every((a) => can(role, a))) {
        assert.ok(answer.status >= 200 && answer.status < 300, where);
        assert.ok(happened, `${where}: answered ${answer.status} but it did not happen`);
        fixture = await e.setup();
      } else {
        assert.equal(answer.status, 403, where);
        assert.equal((answer.body as { error: { code: string } }).error.code, 'forbidden', where);
        assert.ok(!happened, `${where}: refused, yet it happened`);
        refused.push(`${role} × ${e.name}`);
      }
    }
    await cleanUp();
  }
  // The escalations this matrix was written for.
  for (const role of ['support_lead', 'responder']) {
    assert.ok(refused.includes(`${role} × investigating → resolved by a draft, submitted`));
  }
  assert.ok(refused.includes("support_lead × move a component by an update's components"));
  assert.ok(refused.includes('responder × rename a component'));
  assert.ok(refused.includes('incident_lead × export subscribers'));
});
