/**
 * Moving in from Cachet, against a stand-in serving its JSON API (2.x) with
 * `meta.pagination` paging: components in their groups, incidents with their
 * updates, schedules and verified subscribers arrive; a second run creates
 * nothing; the summary shows the open incident and the page's status.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { readCachet } from '../../src/ingest/moving-in/cachet.ts';
import { importPage } from '../../src/services/import/apply.ts';
import { eachDialect, silentLog, TestClock, testConfig, testCtx } from '../helpers/db.ts';

const stamp = (daysAgo: number) =>
  new Date(Date.parse('2026-11-30T12:00:00Z') - daysAgo * 86_400_000)
    .toISOString()
    .replace('T', ' ')
    .slice(0, 19);

function cachetFixture() {
  const groups = [
    { id: 1, name: 'Core', order: 1, collapsed: 0, created_at: stamp(300), updated_at: stamp(300) },
  ];
  const components = Array.from({ length: 5 }, (_, n) => ({
    id: n + 1,
    name: `Part ${n + 1}`,
    description: '',
    link: '',
    status: n === 1 ? 3 : 1,
    order: n,
    group_id: n < 3 ? 1 : 0,
    enabled: true,
    created_at: stamp(300),
    updated_at: stamp(1),
  }));
  const incidents = Array.from({ length: 150 }, (_, n) => ({
    id: n + 1,
    component_id: (n % 5) + 1,
    name: n === 0 ? 'Part 2 is failing' : `Old trouble ${n}`,
    status: n === 0 ? 2 : 4,
    visible: n === 149 ? 0 : 1,
    message: `First words of ${n}.`,
    scheduled_at: stamp(n + 1),
    occurred_at: stamp(n + 1),
    created_at: stamp(n + 1),
    updated_at: stamp(n),
    human_status: n === 0 ? 'Identified' : 'Fixed',
    stickied: false,
  }));
  const updates = (incident: number) =>
    incident === 1
      ? [
          {
            id: 1000,
            incident_id: 1,
            status: 2,
            message: 'Found it.',
            created_at: stamp(0.5),
            updated_at: stamp(0.5),
          },
        ]
      : [
          {
            id: 1000 + incident,
            incident_id: incident,
            status: 4,
            message: 'Fixed.',
            created_at: stamp(incident - 1),
            updated_at: stamp(incident - 1),
          },
        ];
  const schedules = [
    {
      id: 1,
      name: 'Upgrade',
      message: 'We upgrade.',
      status: 0,
      scheduled_at: stamp(-2),
      completed_at: stamp(-2.1),
      created_at: stamp(3),
      updated_at: stamp(3),
      components: [{ id: 4 }],
    },
  ];
  const subscribers = Array.from({ length: 250 }, (_, n) => ({
    id: n + 1,
    email: `reader${n}@example.org`,
    verify_code: 'x',
    verified_at: n % 50 === 49 ? null : stamp(10),
    global: n % 2 === 0,
    subscriptions: n % 2 === 0 ? [] : [{ component_id: 2 }],
    created_at: stamp(10),
    updated_at: stamp(10),
  }));
  return { groups, components, incidents, updates, schedules, subscribers };
}

async function startCachet(key: string) {
  const f = cachetFixture();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://cachet');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/v1/subscribers' && req.headers['x-cachet-token'] !== key)
      return send(401, { errors: [] });
    const perPage = Number(url.searchParams.get('per_page') ?? 20);
    const pageNo = Number(url.searchParams.get('page') ?? 1);
    const paged = (list: unknown[]) =>
      send(200, {
        meta: {
          pagination: {
            total: list.length,
            count: 0,
            per_page: perPage,
            current_page: pageNo,
            total_pages: Math.max(1, Math.ceil(list.length / perPage)),
            links: { next_page: null, previous_page: null },
          },
        },
        data: list.slice((pageNo - 1) * perPage, pageNo * perPage),
      });
    const updates = /^\/api\/v1\/incidents\/(\d+)\/updates$/.exec(url.pathname);
    if (updates) return paged(f.updates(Number(updates[1])));
    const lists: Record<string, unknown[]> = {
      '/api/v1/components/groups': f.groups,
      '/api/v1/components': f.components,
      '/api/v1/incidents': f.incidents,
      '/api/v1/schedules': f.schedules,
      '/api/v1/subscribers': f.subscribers,
    };
    const list = lists[url.pathname];
    return list ? paged(list) : send(404, { errors: [] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

eachDialect(test, 'a Cachet page moves in, once', async (db) => {
  const cachet = await startCachet('cachet-key');
  const clock = new TestClock(new Date().toISOString());
  const ctx = testCtx(db, { clock, actor: 'cli' });
  try {
    const page = await readCachet({ base: cachet.url, key: 'cachet-key' });
    assert.deepEqual(page.left, { 'hidden incidents': 1, 'unverified subscribers': 5 });
    const first = await importPage(ctx, page, { dryRun: false });
    assert.deepEqual(first.created, {
      component_group: 1,
      component: 5,
      incident: 149,
      maintenance: 1,
      subscriber: 245,
    });
    assert.equal(first.incident_updates, 149 * 2, 'the incident’s own words, then its update');
    const again = await importPage(ctx, await readCachet({ base: cachet.url, key: 'cachet-key' }), {
      dryRun: false,
    });
    assert.deepEqual(again.created, {
      component_group: 0,
      component: 0,
      incident: 0,
      maintenance: 0,
      subscriber: 0,
    });

    const old = await db
      .selectFrom('incidents')
      .selectAll()
      .where('name', '=', 'Old trouble 7')
      .executeTakeFirstOrThrow();
    assert.equal(old.status, 'resolved');
    assert.equal(old.started_at, '2026-11-22T12:00:00.000Z', 'Cachet’s times, read as UTC');
    assert.equal(old.resolved_at, '2026-11-23T12:00:00.000Z');
    const chosen = await db
      .selectFrom('subscribers')
      .select(['all_components'])
      .where('contact', '=', 'reader1@example.org')
      .executeTakeFirstOrThrow();
    assert.equal(chosen.all_components, 0);

    const app = await createApp(testConfig(), { db, timers: false, log: silentLog, clock });
    try {
      const summary = JSON.parse(
        (await app.server.inject({ method: 'GET', url: '/api/v2/summary.json' })).body,
      );
      assert.deepEqual(
        summary.incidents.map((i: { name: string; status: string }) => [i.name, i.status]),
        [['Part 2 is failing', 'identified']],
      );
      assert.deepEqual(
        summary.scheduled_maintenances.map((m: { name: string }) => m.name),
        ['Upgrade'],
      );
      const part2 = summary.components.find((c: { name: string }) => c.name === 'Part 2');
      assert.equal(part2.status, 'partial_outage');
      const core = summary.components.find((c: { name: string }) => c.name === 'Core');
      assert.equal(core.components.length, 3);
      assert.equal(summary.status.indicator, 'major', 'a partial outage of Part 2');
    } finally {
      await app.close();
    }
  } finally {
    await cachet.close();
  }
});
