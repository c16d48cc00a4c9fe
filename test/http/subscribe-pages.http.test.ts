/**
 * The subscribe, confirm, manage and unsubscribe pages: they wear the
 * status page's header and stylesheet, the form offers only what this
 * install offers (and says so when email is not among it), a GET on any
 * public route changes nothing (a confirmation link opens a page whose
 * button confirms), and a second use of the link says "already confirmed"
 * and nothing more.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ADMIN_PREFIX } from '../../src/http/server.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

const plan = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
const env = { CRIER_PLAN: plan, CRIER_PUBLIC_URL: 'https://status.crier.test' };
const sqlite = { name: 'sqlite' as const, url: 'sqlite::memory:' };

function assertStatusPageLook(html: string, pageName: string, label: string): void {
  assert.match(
    html,
    /<link rel="stylesheet" href="\/assets\/status\.css\?v=[0-9a-f]+">/,
    `${label}: the stylesheet`,
  );
  assert.match(html, /<header class="top">/, `${label}: the header`);
  assert.match(
    html,
    new RegExp(`<a class="brand" href="/">(<img[^>]*>)?<span>${pageName}</span></a>`),
    label,
  );
  assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/, label);
  assert.doesNotMatch(
    html,
    /data-version=|\/assets\/live\.js/,
    `${label}: not live, so a form is never swapped`,
  );
}

/** Every table a public GET could change, as text. */
async function state(t: TestApp): Promise<string> {
  const subscribers = await t.app.db.selectFrom('subscribers').selectAll().orderBy('id').execute();
  const links = await t.app.db.selectFrom('subscriber_components').selectAll().execute();
  const audit = await t.app.db.selectFrom('audit_log').select('id').execute();
  return JSON.stringify([subscribers, links, audit.length]);
}

test('a fresh install offers what it has, and says plainly that email is not among it', async () => {
  const t = await startTestApp(sqlite, { env: { CRIER_PAGE_NAME: 'Acme Cloud' } });
  try {
    const res = await t.app.server.inject({ url: '/subscribe' });
    assert.equal(res.statusCode, 200);
    assertStatusPageLook(res.body, 'Acme Cloud', '/subscribe');
    assert.match(res.body, /<title>Subscribe to updates · Acme Cloud<\/title>/);
    assert.doesNotMatch(res.body, /name="email"|name="phone"/, 'no field for what cannot be sent');
    assert.match(res.body, /Updates by email or text messages are not available here yet\./);
    for (const kind of ['webhook', 'slack', 'teams', 'discord']) {
      assert.match(res.body, new RegExp(`<label for="sub-${kind}">`), `${kind} is offered without setup`);
    }
    assert.match(res.body, /href="\/history\.atom"/, 'and the feeds as another way to follow');
  } finally {
    await t.close();
  }
});

for (const dialect of dialects) {
  test(`a confirmation link opens a page whose button confirms; a second use reveals nothing [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const added = await inject({
        method: 'POST',
        url: '/api/v1/components',
        headers: t.auth('admin'),
        payload: { name: 'Payments API' },
      });
      assert.equal(added.statusCode, 201);
      await t.app.statusPage.refresh();

      const form = await inject({ url: '/subscribe' });
      assertStatusPageLook(form.body, 'Delivery Test', '/subscribe');
      assert.match(form.body, /<label for="sub-email">Email address<\/label>/);
      assert.doesNotMatch(form.body, /not available here yet/, 'email and SMS are offered by this plan');
      assert.match(form.body, /<label class="check"><input type="checkbox" name="component_ids"/);

      const signup = await inject({
        method: 'POST',
        url: '/subscribe',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=zoe%40example.com',
      });
      assert.equal(signup.statusCode, 200);
      assertStatusPageLook(signup.body, 'Delivery Test', 'the answer to the form');
      const row = await t.app.db.selectFrom('subscribers').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.state, 'pending');
      const link = `/confirm/${row.confirm_token}`;

      // Every public GET, with real tokens where a route takes one, changes nothing.
      const before = await state(t);
      const gets = t.app.server.routes.filter((r) => r.method === 'GET' && !r.url.startsWith(ADMIN_PREFIX));
      for (const route of gets) {
        if (route.url === '/events') continue;
        const url = route.url
          .replace('/confirm/:token', link)
          .replace('/unsubscribe/:token', `/unsubscribe/${row.token}`)
          .replace(/:[a-z_]+/g, 'x')
          .replace('*', 'x');
        const res = await inject({ url });
        assert.ok(res.statusCode < 500, `${url}: ${res.statusCode}`);
      }
      assert.equal(await state(t), before, 'no GET changed a subscriber, a choice or the audit log');

      const opened = await inject({ url: link });
      assert.equal(opened.statusCode, 200);
      assertStatusPageLook(opened.body, 'Delivery Test', 'the confirmation page');
      assert.match(opened.body, new RegExp(`<form method="post" action="${link}\\?lang=en">`));
      assert.match(opened.body, /<button class="button" type="submit">Confirm my subscription<\/button>/);
      assert.equal(await state(t), before, 'opening the link confirmed nothing');

      const confirmed = await inject({ method: 'POST', url: link });
      assert.equal(confirmed.statusCode, 200);
      assert.match(confirmed.body, /<h1>Subscription confirmed<\/h1>/);
      assert.match(
        confirmed.body,
        new RegExp(`href="/unsubscribe/${row.token}\\?lang=en"`),
        'the first use leads on',
      );
      const after = await t.app.db
        .selectFrom('subscribers')
        .select('state')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.equal(after.state, 'confirmed');

      for (const method of ['GET', 'POST'] as const) {
        const again = await inject({ method, url: link });
        assert.equal(again.statusCode, 200, method);
        assert.match(again.body, /<h1>Already confirmed<\/h1>/, method);
        for (const secret of [
          row.token,
          'zoe',
          'z…@example.com',
          'example.com',
          'Payments API',
          '/unsubscribe/',
          '/manage/',
        ]) {
          assert.ok(!again.body.includes(secret), `${method}: a second use does not show ${secret}`);
        }
      }
      for (const method of ['GET', 'POST'] as const) {
        const unknown = await inject({ method, url: '/confirm/not-a-token' });
        assert.equal(unknown.statusCode, 404, method);
        assert.match(unknown.body, /<h1>Link not valid<\/h1>/);
      }

      const manage = await inject({ url: `/unsubscribe/${row.token}` });
      assertStatusPageLook(manage.body, 'Delivery Test', 'the manage page');
      assert.match(manage.body, /Updates go to z…@example\.com\./);
      assert.match(
        manage.body,
        new RegExp(`<form method="post" action="/unsubscribe/${row.token}\\?lang=en">`),
      );
      const out = await inject({
        method: 'POST',
        url: `/unsubscribe/${row.token}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'List-Unsubscribe=One-Click',
      });
      assertStatusPageLook(out.body, 'Delivery Test', 'the unsubscribed page');
      assert.match(out.body, /You will receive no more updates\./);
    } finally {
      await t.close();
    }
  });
}
