/**
 * The console's screens for components, maintenances, subscribers and the
 * audit log through HTTP, on both databases: each action is the verb's,
 * as the signed-in person; what a role may not do is neither offered nor
 * done; user text is escaped; bad input is a 4xx on the page.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects, TestClock } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

// A plan with an email channel, so email subscribers can be added.
const env = { CRIER_PLAN: path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml') };

for (const dialect of dialects) {
  test(`console screens: components, maintenances, subscribers, audit [${dialect.name}]`, async () => {
    const clock = new TestClock('2026-01-15T10:00:00.000Z');
    const t = await startTestApp(dialect, { clock, env });
    const inject = t.app.server.inject.bind(t.app.server);
    const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
      return res.json() as unknown;
    };
    const get = async (cookie: string, url: string) => inject({ method: 'GET', url, headers: { cookie } });
    try {
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const comms = await signedIn(t, 'carol@acme.test', 'comms_lead');
      const rita = await signedIn(t, 'rita@acme.test', 'responder');
      const viewer = await signedIn(t, 'vic@acme.test', 'viewer');

      // Components: add (escaped), reorder, set a status; a responder sets statuses only; a viewer nothing.
      for (const name of ['Payments <b>API</b>', 'Search']) {
        const added = await inject(form(lead, '/console/components', { name }));
        assert.equal(added.statusCode, 303, added.body);
        assert.equal(added.headers.location, '/console/components?done=added');
      }
      const ids = () =>
        api('GET', '/api/v1/components') as Promise<{ id: string; name: string; status: string }[]>;
      const [payments, search] = (await ids()) as unknown as [{ id: string }, { id: string }];
      const screen = await get(lead, '/console/components?done=added');
      assert.match(screen.body, /<h3>Payments &lt;b&gt;API&lt;\/b&gt;<\/h3>/);
      assert.match(screen.body, /Component added\./);
      assert.equal(
        (await inject(form(lead, `/console/components/${search.id}/move`, { to: 'up' }))).statusCode,
        303,
      );
      assert.deepEqual(
        (await ids()).map((c) => c.name),
        ['Search', 'Payments <b>API</b>'],
      );
      const set = await inject(
        form(rita, `/console/components/${payments.id}/status`, { status: 'major_outage' }),
      );
      assert.equal(set.statusCode, 303, set.body);
      assert.equal((await ids()).find((c) => c.id === payments.id)?.status, 'major_outage');
      const ritaScreen = (await get(rita, '/console/components')).body;
      assert.match(ritaScreen, /action="\/console\/components\/[\w-]+\/status"/);
      assert.doesNotMatch(ritaScreen, /Add a component|Move up|Delete/);
      assert.equal((await inject(form(rita, '/console/components', { name: 'Sneaky' }))).statusCode, 403);
      assert.equal((await inject(form(viewer, `/console/components/${payments.id}/delete`))).statusCode, 403);
      assert.doesNotMatch(
        (await get(viewer, '/console/components')).body,
        /<form method="post" action="\/console\/components/,
      );
      const unknown = await inject(form(lead, '/console/components/nope/status', { status: 'operational' }));
      assert.equal(unknown.statusCode, 404);
      const badStatus = await inject(
        form(lead, `/console/components/${payments.id}/status`, { status: 'fine' }),
      );
      assert.equal(badStatus.statusCode, 400);
      assert.match(badStatus.body, /class="notice error"/);
      assert.equal((await ids()).length, 2);

      // Maintenances: schedule in UTC, start, complete; moves the state machine refuses are refused.
      const bad = await inject(
        form(lead, '/console/maintenances', {
          name: 'DB upgrade',
          scheduled_for: '2026-01-15T12:00',
          scheduled_until: '2026-01-15T11:00',
        }),
      );
      assert.ok(bad.statusCode >= 400 && bad.statusCode < 500, `${bad.statusCode}`);
      assert.deepEqual(((await api('GET', '/api/v1/maintenances')) as unknown[]).length, 0);
      const scheduled = await inject(
        form(lead, '/console/maintenances', {
          name: 'DB <i>upgrade</i>',
          scheduled_for: '2026-01-15T12:00',
          scheduled_until: '2026-01-15T13:00',
          component: search.id,
          body: 'Search may be slow for a few minutes.',
        }),
      );
      assert.equal(scheduled.statusCode, 303, scheduled.body);
      const [m] = (await api('GET', '/api/v1/maintenances')) as {
        id: string;
        scheduled_for: string;
        component_ids: string[];
      }[];
      assert.equal(m?.scheduled_for, '2026-01-15T12:00:00.000Z');
      assert.deepEqual(m?.component_ids, [search.id]);
      const list = (await get(lead, '/console/maintenances')).body;
      assert.match(list, /<h3>DB &lt;i&gt;upgrade&lt;\/i&gt;<\/h3>/);
      assert.match(list, /starts <time[^>]+>[^<]+<\/time> <span class="due ok" [^>]+>in 2 h 0 min<\/span>/);
      const move = (cookie: string, to: string) =>
        inject(form(cookie, `/console/maintenances/${m?.id}/move`, { to }));
      assert.equal((await move(viewer, 'in_progress')).statusCode, 403);
      assert.equal((await move(lead, 'in_progress')).statusCode, 303);
      assert.equal((await move(lead, 'completed')).statusCode, 303);
      const again = await move(lead, 'in_progress');
      assert.equal(again.statusCode, 409);
      assert.match(again.body, /A maintenance cannot move from completed to in_progress/);
      assert.equal((await move(lead, 'exploded')).statusCode, 400);
      assert.equal(
        ((await api('GET', `/api/v1/maintenances/${m?.id}`)) as { status: string }).status,
        'completed',
      );

      // Subscribers: counts for everyone; contacts for those who may read them; delete for those who may write.
      const sub = (await api('POST', '/api/v1/subscribers', { email: 'zoe@example.com' })) as { id: string };
      const yan = (await api('POST', '/api/v1/subscribers', { email: 'yan@example.com' })) as { id: string };
      const leadView = (await get(lead, '/console/subscribers')).body;
      assert.match(leadView, /<th scope="row">email<\/th>/);
      assert.doesNotMatch(leadView, /zoe@example\.com/);
      const commsView = (await get(comms, '/console/subscribers?q=zoe')).body;
      assert.match(commsView, /<strong>zoe@example\.com<\/strong>/);
      assert.doesNotMatch(commsView, /yan@example\.com/);
      assert.match(commsView, /href="\/api\/v1\/subscribers\/export"/);
      const exported = await inject({
        method: 'GET',
        url: '/api/v1/subscribers/export',
        headers: { cookie: comms },
      });
      assert.equal(exported.statusCode, 200);
      assert.match(exported.body, /zoe@example\.com/);
      assert.equal((await inject(form(lead, `/console/subscribers/${sub.id}/delete`))).statusCode, 403);
      assert.equal((await inject(form(comms, `/console/subscribers/${sub.id}/delete`))).statusCode, 303);
      assert.doesNotMatch((await get(comms, '/console/subscribers')).body, /zoe@example\.com/);

      // Dead deliveries on the Now screen, and replaying them all (for those who may).
      const at = clock.now().toISOString();
      await t.app.db
        .insertInto('deliveries')
        .values({
          id: 'dead-1',
          subject_type: 'maintenance',
          subject_id: `${m?.id}:completed:2`,
          incident_id: null,
          subscriber_id: yan.id,
          channel: 'email',
          via: 'email',
          state: 'dead',
          attempts: 10,
          next_attempt_at: at,
          lease_until: null,
          provider_id: null,
          last_error: 'HTTP 503',
          created_at: at,
          updated_at: at,
          sent_at: null,
        })
        .execute();
      const nowScreen = (await get(lead, '/console')).body;
      assert.match(nowScreen, /<li class="card">1 on email for maintenance and other notices<\/li>/);
      assert.doesNotMatch((await get(viewer, '/console')).body, /Replay all/);
      assert.equal((await inject(form(viewer, '/console/deliveries/replay'))).statusCode, 403);
      const replayed = await inject(form(lead, '/console/deliveries/replay'));
      assert.equal(replayed.headers.location, '/console?done=replayed');
      const row = await t.app.db
        .selectFrom('deliveries')
        .select('state')
        .where('id', '=', 'dead-1')
        .executeTakeFirst();
      assert.equal(row?.state, 'pending');
      assert.match((await get(lead, '/console')).body, /No delivery has given up\./);

      // The audit log: filtered; not in the viewer's header, and refused if asked for.
      const audit = (await get(lead, '/console/audit?action=component.create')).body;
      assert.match(audit, /2 entries/);
      assert.match(audit, /<strong>user:ivy@acme\.test<\/strong> component\.create/);
      assert.match(audit, /&quot;name&quot;: &quot;Payments &lt;b&gt;API&lt;\/b&gt;&quot;/);
      assert.doesNotMatch((await get(viewer, '/console')).body, /href="\/console\/audit"/);
      assert.match((await get(lead, '/console')).body, /href="\/console\/audit"/);
      assert.equal((await get(viewer, '/console/audit')).statusCode, 403);
      assert.equal((await get(lead, '/console/audit?page=0')).statusCode, 400);
    } finally {
      await t.close();
    }
  });
}
