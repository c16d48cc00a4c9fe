import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');

for (const dialect of dialects) {
  test(`a subscriber chooses their components from the link in every message [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, {
      env: { CRIER_PLAN: plan, CRIER_PUBLIC_URL: 'https://status.crier.test' },
    });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const add = (name: string) =>
        inject({ method: 'POST', url: '/api/v1/components', headers: t.auth('admin'), payload: { name } });
      const api = JSON.parse((await add('API')).body) as { id: string };
      await add('<b>Web</b>');
      const created = await inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: t.auth('admin'),
        payload: { email: 'ann@example.com' },
      });
      assert.equal(created.statusCode, 201, created.body);
      const row = await t.app.db.selectFrom('subscribers').selectAll().executeTakeFirstOrThrow();

      const page = await inject({ url: `/unsubscribe/${row.token}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, new RegExp(`action="/manage/${row.token}\\?lang=en"`));
      assert.match(page.body, /&lt;b&gt;Web&lt;\/b&gt;/, 'component names are escaped');
      assert.doesNotMatch(page.body, /checked/, 'all components to begin with');

      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const saved = await inject({
        method: 'POST',
        url: `/manage/${row.token}`,
        headers: form,
        payload: `component_ids=${api.id}`,
      });
      assert.equal(saved.statusCode, 200);
      const links = await t.app.db
        .selectFrom('subscriber_components')
        .select('component_id')
        .where('subscriber_id', '=', row.id)
        .execute();
      assert.deepEqual(
        links.map((l) => l.component_id),
        [api.id],
      );
      assert.match(
        (await inject({ url: `/unsubscribe/${row.token}` })).body,
        new RegExp(`value="${api.id}" checked`),
      );

      const unknown = await inject({
        method: 'POST',
        url: `/manage/${row.token}`,
        headers: form,
        payload: 'component_ids=nope',
      });
      assert.equal(unknown.statusCode, 400);
      const still = await t.app.db
        .selectFrom('subscriber_components')
        .select('component_id')
        .where('subscriber_id', '=', row.id)
        .execute();
      assert.deepEqual(
        still.map((l) => l.component_id),
        [api.id],
        'a refused change changes nothing',
      );

      const all = await inject({ method: 'POST', url: `/manage/${row.token}`, headers: form, payload: '' });
      assert.equal(all.statusCode, 200);
      const after = await t.app.db
        .selectFrom('subscribers')
        .select(['all_components'])
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.equal(after.all_components, 1);
      assert.equal(
        (await inject({ method: 'POST', url: '/manage/not-a-token', headers: form, payload: '' })).statusCode,
        404,
      );
      const audit = await t.app.db
        .selectFrom('audit_log')
        .select('action')
        .where('subject_id', '=', row.id)
        .execute();
      assert.ok(audit.some((a) => a.action === 'subscriber.preferences'));
    } finally {
      await t.close();
    }
  });
}
