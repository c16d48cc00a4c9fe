import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

const api = '/api/v1';

const routes: [string, RegExp][] = [
  ['/', /^text\/html/],
  ['/history', /^text\/html/],
  ['/api/v2/summary.json', /^application\/json/],
  ['/api/v2/status.json', /^application\/json/],
  ['/api/v2/components.json', /^application\/json/],
  ['/api/v2/incidents.json', /^application\/json/],
  ['/api/v2/incidents/unresolved.json', /^application\/json/],
  ['/api/v2/scheduled-maintenances.json', /^application\/json/],
  ['/api/v2/scheduled-maintenances/upcoming.json', /^application\/json/],
  ['/api/v2/scheduled-maintenances/active.json', /^application\/json/],
  ['/history.atom', /^application\/atom\+xml/],
  ['/history.rss', /^application\/rss\+xml/],
  ['/maintenances.ics', /^text\/calendar/],
  ['/badge.svg', /^image\/svg\+xml/],
  ['/embed.js', /^text\/javascript/],
];

/** Statuspage's public API v2 field sets (https://metastatuspage.com/api/v2/). */
const pageKeys = ['id', 'name', 'url', 'time_zone', 'updated_at'];
const componentKeys = [
  'id',
  'name',
  'status',
  'created_at',
  'updated_at',
  'position',
  'description',
  'showcase',
  'start_date',
  'group_id',
  'page_id',
  'group',
  'only_show_if_degraded',
];
const incidentKeys = [
  'id',
  'name',
  'status',
  'created_at',
  'updated_at',
  'monitoring_at',
  'resolved_at',
  'impact',
  'shortlink',
  'started_at',
  'page_id',
  'incident_updates',
  'components',
];
const updateKeys = [
  'id',
  'status',
  'body',
  'incident_id',
  'created_at',
  'updated_at',
  'display_at',
  'affected_components',
  'deliver_notifications',
  'custom_tweet',
  'tweet_id',
];

const sorted = (o: object) => Object.keys(o).sort();
const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

async function json(t: TestApp, url: string): Promise<Record<string, unknown>> {
  const res = await t.app.server.inject({ method: 'GET', url });
  assert.equal(res.statusCode, 200, url);
  return res.json();
}

/** A page with a group, a component, an open incident, a resolved one, a drill and a maintenance. */
async function seed(t: TestApp) {
  const post = async (url: string, payload: object) => {
    const res = await t.app.server.inject({
      method: 'POST',
      url: api + url,
      headers: t.auth('admin'),
      payload,
    });
    assert.ok(res.statusCode < 300, `${url}: ${res.body}`);
    return res.json();
  };
  const apiC = await post('/components', { name: 'API' });
  const web = await post('/components', { name: 'Website' });
  await post('/component-groups', { name: 'Core', components: [apiC.id] });
  const open = await post('/incidents', {
    name: 'Elevated errors',
    body: 'We are **looking** into it.',
    components: { [apiC.id]: 'partial_outage' },
  });
  await post(`/incidents/${open.id}/updates`, { status: 'identified', body: 'Found the cause.' });
  await post(`/incidents/${open.id}/updates`, { body: 'Internal note: db-7 is sick.', audience: 'internal' });
  const old = await post('/incidents', {
    name: 'Old outage',
    body: 'Down.',
    components: { [web.id]: 'major_outage' },
  });
  await post(`/incidents/${old.id}/resolve`, { body: 'Fixed.' });
  await post('/incidents', { name: 'Game day drill', body: 'Drill.', drill: true });
  const start = new Date(Date.now() + 86_400_000).toISOString();
  const end = new Date(Date.now() + 90_000_000).toISOString();
  const maint = await post('/maintenances', {
    name: 'Database upgrade',
    scheduled_for: start,
    scheduled_until: end,
    component_ids: [apiC.id],
  });
  await t.app.statusPage.refresh();
  return { apiC, web, open, old, maint };
}

for (const dialect of dialects) {
  test(`every public route answers from memory with ETag, 304, compression and cache headers [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      await seed(t);
      for (const [url, type] of routes) {
        const res = await t.app.server.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 200, url);
        assert.match(String(res.headers['content-type']), type, url);
        const etag = String(res.headers.etag);
        assert.match(etag, /^"[A-Za-z0-9_-]+"$/, `${url} has a strong ETag`);
        assert.match(String(res.headers['cache-control']), /max-age=\d+/, url);
        assert.match(String(res.headers['cache-control']), /stale-while-revalidate=\d+/, url);
        // The page's own HTML paths speak the reader's language (test/statuspage/accept-language.http.test.ts).
        const byLanguage = type.source.includes('html') && !url.includes('.');
        assert.equal(
          res.headers.vary,
          byLanguage ? 'accept-encoding, accept-language' : 'accept-encoding',
          url,
        );
        assert.equal(res.headers['access-control-allow-origin'], '*', url);

        const again = await t.app.server.inject({ method: 'GET', url, headers: { 'if-none-match': etag } });
        assert.equal(again.statusCode, 304, `${url} revalidates`);
        assert.equal(again.body, '');

        const br = await t.app.server.inject({
          method: 'GET',
          url,
          headers: { 'accept-encoding': 'gzip, br' },
        });
        assert.equal(br.headers['content-encoding'], 'br', url);
        assert.notEqual(br.headers.etag, etag, 'each encoding has its own strong ETag');
        assert.equal(zlib.brotliDecompressSync(br.rawPayload).toString(), res.body, url);
        const gz = await t.app.server.inject({
          method: 'GET',
          url,
          headers: { 'accept-encoding': 'gzip, br;q=0' },
        });
        assert.equal(gz.headers['content-encoding'], 'gzip', url);
        assert.equal(zlib.gunzipSync(gz.rawPayload).toString(), res.body, url);

        const head = await t.app.server.inject({ method: 'HEAD', url });
        assert.equal(head.statusCode, 200);
        assert.equal(head.body, '');
        assert.equal(head.headers['content-length'], String(Buffer.byteLength(res.body)));
      }
      const preflight = await t.app.server.inject({
        method: 'OPTIONS',
        url: '/api/v2/summary.json',
        headers: { origin: 'https://example.com', 'access-control-request-method': 'GET' },
      });
      assert.equal(preflight.statusCode, 204);
      assert.equal(preflight.headers['access-control-allow-origin'], '*');
    } finally {
      await t.close();
    }
  });

  test(`the v2 API has Statuspage's fields and shows only public, non-drill information [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, {
      env: {
        CRIER_PAGE_NAME: 'Acme Cloud',
        CRIER_PUBLIC_URL: 'https://status.acme.example',
        CRIER_PAGE_TIME_ZONE: 'Europe/Paris',
      },
    });
    try {
      const { apiC, open, old, maint } = await seed(t);
      const summary = await json(t, '/api/v2/summary.json');
      assert.deepEqual(sorted(summary), [
        'components',
        'incidents',
        'page',
        'scheduled_maintenances',
        'status',
      ]);
      const page = summary.page as Record<string, unknown>;
      assert.deepEqual(sorted(page), [...pageKeys].sort());
      assert.equal(page.name, 'Acme Cloud');
      assert.equal(page.url, 'https://status.acme.example');
      assert.equal(page.time_zone, 'Europe/Paris');
      assert.match(String(page.updated_at), iso);
      assert.deepEqual(summary.status, { indicator: 'major', description: 'Partial System Outage' });

      const components = summary.components as Record<string, unknown>[];
      const group = components.find((c) => c.group === true);
      assert.ok(group);
      assert.deepEqual(sorted(group), [...componentKeys, 'components'].sort());
      assert.deepEqual(group.components, [apiC.id]);
      assert.equal(group.status, 'partial_outage');
      const member = components.find((c) => c.id === apiC.id);
      assert.ok(member);
      assert.deepEqual(sorted(member), [...componentKeys].sort());
      assert.equal(member.group_id, group.id);
      assert.equal(typeof member.position, 'number');
      assert.equal(typeof member.showcase, 'boolean');

      const incidents = summary.incidents as Record<string, unknown>[];
      assert.deepEqual(
        incidents.map((i) => i.id),
        [open.id],
        'unresolved only, no drill',
      );
      const incident = incidents[0] as Record<string, unknown>;
      assert.deepEqual(sorted(incident), [...incidentKeys].sort());
      assert.equal(incident.shortlink, `https://status.acme.example/incidents/${open.id}`);
      assert.equal(incident.status, 'identified');
      assert.equal(incident.impact, 'major');
      const updates = incident.incident_updates as Record<string, unknown>[];
      assert.deepEqual(
        updates.map((u) => u.status),
        ['identified', 'investigating'],
        'the internal update stays internal',
      );
      for (const u of updates) {
        assert.deepEqual(sorted(u), [...updateKeys].sort());
        assert.match(String(u.display_at), iso);
      }
      assert.deepEqual((updates[1] as { affected_components: unknown }).affected_components, [
        { code: apiC.id, name: 'API', old_status: 'operational', new_status: 'partial_outage' },
      ]);

      const scheduled = summary.scheduled_maintenances as Record<string, unknown>[];
      assert.equal(scheduled.length, 1);
      assert.deepEqual(
        sorted(scheduled[0] as object),
        [...incidentKeys, 'scheduled_for', 'scheduled_until'].sort(),
      );
      assert.equal((scheduled[0] as { id: string }).id, maint.id);

      const all = await json(t, '/api/v2/incidents.json');
      assert.deepEqual((all.incidents as { id: string }[]).map((i) => i.id).sort(), [open.id, old.id].sort());
      assert.equal(JSON.stringify(all).includes('Game day drill'), false);
      assert.equal(JSON.stringify(all).includes('db-7'), false);
      const unresolved = await json(t, '/api/v2/incidents/unresolved.json');
      assert.deepEqual(
        (unresolved.incidents as { id: string }[]).map((i) => i.id),
        [open.id],
      );
      const upcoming = await json(t, '/api/v2/scheduled-maintenances/upcoming.json');
      assert.deepEqual(
        (upcoming.scheduled_maintenances as { id: string }[]).map((m) => m.id),
        [maint.id],
      );
      const active = await json(t, '/api/v2/scheduled-maintenances/active.json');
      assert.deepEqual(active.scheduled_maintenances, []);
      for (const url of [
        '/api/v2/status.json',
        '/api/v2/components.json',
        '/api/v2/scheduled-maintenances.json',
      ]) {
        assert.deepEqual((await json(t, url)).page, page, `${url} carries the page`);
      }
    } finally {
      await t.close();
    }
  });

  test(`the page shows incidents, next update, maintenance, groups and a subscribe link [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, {
      env: { CRIER_PAGE_NAME: 'Acme Cloud', CRIER_PAGE_LINKS: 'Help=https://help.acme.example' },
    });
    try {
      const { open } = await seed(t);
      await t.app.db
        .updateTable('incidents')
        .set({ next_update_due_at: '2030-01-01T10:30:00.000Z' })
        .where('id', '=', open.id)
        .execute();
      await t.app.statusPage.refresh();
      const html = (await t.app.server.inject({ url: '/' })).body;
      assert.match(html, /<h1 class="banner ind-major">Partial System Outage<\/h1>/);
      assert.match(html, /Elevated errors/);
      assert.match(html, /<strong>looking<\/strong>/, 'markdown is rendered');
      assert.match(html, /Next update by <time datetime="2030-01-01T10:30:00.000Z">/);
      assert.match(html, /Database upgrade/);
      assert.match(html, /<details open><summary><span class="name">Core<\/span>/);
      assert.match(html, /href="\/subscribe\?lang=en"/);
      assert.match(html, /href="https:\/\/help.acme.example"/);
      assert.doesNotMatch(html, /Game day drill|db-7/);
      const incident = await t.app.server.inject({ url: `/incidents/${open.id}` });
      assert.equal(incident.statusCode, 200);
      assert.match(incident.body, /<h1>Elevated errors<\/h1>/);
      const history = (await t.app.server.inject({ url: '/history' })).body;
      assert.match(history, /Old outage/);
      const missing = await t.app.server.inject({ url: '/incidents/doesnotexist' });
      assert.equal(missing.statusCode, 404);
      assert.match(String(missing.headers['content-type']), /^text\/html/);
    } finally {
      await t.close();
    }
  });

  test(`a change made through the admin API reaches the page without a request touching the database [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const before = await t.app.server.inject({ url: '/api/v2/status.json' });
      assert.equal(before.json().status.indicator, 'none');
      const res = await t.app.server.inject({
        method: 'POST',
        url: `${api}/incidents`,
        headers: t.auth('incident_lead'),
        payload: { name: 'Login fails', body: 'Investigating.', impact_override: 'critical' },
      });
      assert.equal(res.statusCode, 201);
      // The change bus schedules the render; wait for it without forcing one.
      let after = before;
      for (let i = 0; i < 500 && after.headers.etag === before.headers.etag; i++) {
        await new Promise((r) => setTimeout(r, 20));
        after = await t.app.server.inject({ url: '/api/v2/status.json' });
      }
      assert.equal(after.json().status.indicator, 'critical');
      const stale = await t.app.server.inject({
        url: '/api/v2/status.json',
        headers: { 'if-none-match': String(before.headers.etag) },
      });
      assert.equal(stale.statusCode, 200, 'an old ETag no longer matches');
    } finally {
      await t.close();
    }
  });
}

test('the page keeps being served when the database is gone', async () => {
  const t = await startTestApp({ name: 'sqlite', url: 'sqlite::memory:' });
  try {
    await seed(t);
    const before = await t.app.server.inject({ url: '/api/v2/summary.json' });
    await t.app.db.destroy();
    for (const [url] of routes) {
      const res = await t.app.server.inject({ url });
      assert.equal(res.statusCode, 200, `${url} with no database`);
    }
    assert.equal((await t.app.server.inject({ url: '/api/v2/summary.json' })).body, before.body);
    await assert.rejects(t.app.statusPage.refresh());
    assert.equal(
      (await t.app.server.inject({ url: '/api/v2/summary.json' })).body,
      before.body,
      'a failed render keeps the last good page',
    );
  } finally {
    await t.app.close().catch(() => {});
  }
});

test('the fast path over a real socket sends the same bytes and headers as the routed path', async () => {
  const t = await startTestApp(
    { name: 'sqlite', url: 'sqlite::memory:' },
    { env: { PORT: '0', HOST: '127.0.0.1' } },
  );
  try {
    await seed(t);
    const base = await t.app.listen();
    for (const url of ['/', '/api/v2/summary.json', '/badge.svg', '/history/']) {
      const live = await fetch(base + url, { headers: { 'accept-encoding': 'identity' } });
      const routed = await t.app.server.inject({ url });
      assert.equal(live.status, 200, url);
      assert.equal(await live.text(), routed.body, url);
      assert.equal(live.headers.get('etag'), routed.headers.etag);
      assert.equal(live.headers.get('cache-control'), routed.headers['cache-control']);
    }
    const notModified = await fetch(`${base}/api/v2/summary.json`, {
      headers: { 'if-none-match': `W/${(await fetch(`${base}/api/v2/summary.json`)).headers.get('etag')}` },
    });
    assert.equal(notModified.status, 304);
    assert.equal((await fetch(`${base}/healthz`)).status, 200, 'other routes still go through the router');
  } finally {
    await t.close();
  }
});
