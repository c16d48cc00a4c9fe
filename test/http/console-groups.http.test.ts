/**
 * Component groups on the console's components screen through HTTP, on both
 * databases: add, rename, put components in and take them out, reorder,
 * delete (the components stay); what a lead who may only set statuses
 * cannot do is neither offered nor done, and bad input changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

for (const dialect of dialects) {
  test(`components screen: groups added, renamed, assigned, reordered, deleted [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    try {
      const api = async (method: 'GET' | 'POST', url: string, payload?: object) => {
        const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
        return res.json() as unknown;
      };
      const groups = async () =>
        (
          (await api('GET', '/api/v1/component-groups')) as {
            id: string;
            name: string;
            components: string[];
          }[]
        ).map((g) => ({ name: g.name, components: g.components }));
      const payments = ((await api('POST', '/api/v1/components', { name: 'Payments API' })) as { id: string })
        .id;
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const responder = await signedIn(t, 'rob@acme.test', 'responder');
      const screen = async (cookie = lead) =>
        (await inject({ method: 'GET', url: '/console/components', headers: { cookie } })).body;
      const ok = async (url: string, fields: Record<string, string>, done: string) => {
        const res = await inject(form(lead, url, fields));
        assert.equal(res.statusCode, 303, res.body);
        assert.equal(res.headers.location, `/console/components?done=${done}`);
      };

      assert.match(await screen(), /No group yet/);
      await ok('/console/groups', { name: 'Money <movers>' }, 'group_added');
      await ok('/console/groups', { name: 'Search' }, 'group_added');
      const ids = ((await api('GET', '/api/v1/component-groups')) as { id: string }[]).map((g) => g.id);
      const [money = '', search = ''] = ids;
      assert.match(await screen(), /<h3>Money &lt;movers&gt;<\/h3>/);

      await ok(`/console/groups/${money}/rename`, { name: 'Money' }, 'renamed');
      await ok(`/console/components/${payments}/group`, { group_id: money }, 'assigned');
      assert.deepEqual(await groups(), [
        { name: 'Money', components: [payments] },
        { name: 'Search', components: [] },
      ]);
      assert.match(await screen(), /<p class="muted">In Money · operational<\/p>/);
      assert.match(await screen(), new RegExp(`<option value="${money}" selected>Money</option>`));

      await ok(`/console/groups/${search}/move`, { to: 'up' }, 'group_moved');
      assert.deepEqual(
        (await groups()).map((g) => g.name),
        ['Search', 'Money'],
      );
      await ok(`/console/components/${payments}/group`, { group_id: '' }, 'assigned');
      assert.deepEqual((await groups()).find((g) => g.name === 'Money')?.components, []);

      // Bad input: refused with the reason, nothing changed.
      const blank = await inject(form(lead, `/console/groups/${money}/rename`, { name: '  ' }));
      assert.equal(blank.statusCode, 400);
      assert.match(blank.body, /class="notice error"/);
      const nowhere = await inject(form(lead, `/console/components/${payments}/group`, { group_id: 'nope' }));
      assert.equal(nowhere.statusCode, 404, nowhere.body);
      assert.equal((await inject(form(lead, '/console/groups/nope/move', { to: 'up' }))).statusCode, 404);
      assert.deepEqual(
        (await groups()).map((g) => g.name),
        ['Search', 'Money'],
      );

      // A responder sets statuses but does not manage the list: no group controls, and asking is refused.
      const seen = await screen(responder);
      assert.doesNotMatch(seen, /action="\/console\/groups/);
      assert.doesNotMatch(seen, /\/group"/);
      assert.equal((await inject(form(responder, '/console/groups', { name: 'Mine' }))).statusCode, 403);
      assert.equal((await inject(form(responder, `/console/groups/${money}/delete`))).statusCode, 403);

      await ok(`/console/groups/${money}/delete`, {}, 'group_deleted');
      assert.deepEqual(
        (await groups()).map((g) => g.name),
        ['Search'],
      );
      assert.equal(((await api('GET', `/api/v1/components/${payments}`)) as { id: string }).id, payments);
    } finally {
      await t.close();
    }
  });
}
