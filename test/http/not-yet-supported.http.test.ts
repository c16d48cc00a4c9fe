/**
 * Nothing accepted and ignored, through the API: a plan asking for what
 * Crier does not do yet is refused by `PUT /plan` and `POST /plan/check`
 * with "not supported yet" and changes nothing; a subscriber's `locale`
 * other than English is refused with `not_supported_yet` on the public
 * form, the admin API and the CSV import, and English is accepted.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { planSecrets, sev1Plan, sev1PlanPath } from '../helpers/plan.ts';

const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

test('PUT /plan and POST /plan/check refuse what is not supported yet, by name, and change nothing', async () => {
  const t = await startTestApp(dialect, { env: { CRIER_PLAN: sev1PlanPath, ...planSecrets } });
  try {
    const asking = sev1Plan
      .replace(
        'channels:\n  email:',
        'channels:\n  calls: { type: voice }\n  toots: { type: bluesky, url: https://social.example }\n  email:',
      )
      .replace(
        '  internal: { channels: [slack-internal] }',
        '  internal: { channels: [slack-internal, feed] }',
      );
    for (const [method, url] of [
      ['PUT', '/api/v1/plan'],
      ['POST', '/api/v1/plan/check'],
    ] as const) {
      const res = await t.app.server.inject({
        method,
        url,
        headers: t.auth('admin'),
        payload: { source: asking },
      });
      const body = JSON.parse(res.body);
      const problems: { path: string; message: string }[] =
        method === 'PUT' ? body.error?.details?.problems : body.problems;
      if (method === 'PUT') {
        assert.equal(res.statusCode, 422);
        assert.equal(body.error.code, 'plan_invalid');
      } else assert.equal(body.ok, false);
      const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
      assert.match(
        byPath['audiences.internal.channels.1'] ?? '',
        /a status page or feed of its own .* is not supported yet/,
      );
      assert.match(byPath['channels.calls.type'] ?? '', /channel type "voice" is not supported yet/);
      assert.match(byPath['channels.toots.type'] ?? '', /channel type "bluesky" is not supported yet/);
      // Each is named once, by what it asks for: no schema noise about the unknown channel types.
      assert.deepEqual(problems.map((p) => p.path).sort(), [
        'audiences.internal.channels.1',
        'channels.calls.type',
        'channels.toots.type',
      ]);
    }
    const current = JSON.parse(
      (await t.app.server.inject({ method: 'GET', url: '/api/v1/plan', headers: t.auth('admin') })).body,
    );
    assert.equal(current.version, 1, 'nothing was applied');

    // What asks for nothing is the truth, and is accepted (GET /plan shows it, so it may come back).
    const honest = sev1Plan.replace(
      '  internal: { channels: [slack-internal] }',
      '  internal: { channels: [slack-internal], private_page: false }',
    );
    const applied = await t.app.server.inject({
      method: 'PUT',
      url: '/api/v1/plan',
      headers: t.auth('admin'),
      payload: { source: `${honest}runbooks: []\n` },
    });
    assert.equal(applied.statusCode, 200, applied.body);
  } finally {
    await t.close();
  }
});

test('a subscriber locale other than English is refused with not_supported_yet; English is accepted', async () => {
  const plan = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
  const t = await startTestApp(dialect, {
    env: { CRIER_PLAN: plan, CRIER_PUBLIC_URL: 'https://status.crier.test' },
  });
  try {
    const inject = t.app.server.inject.bind(t.app.server);
    const french = await inject({
      method: 'POST',
      url: '/subscribe',
      payload: { email: 'anne@example.com', locale: 'fr' },
    });
    assert.equal(french.statusCode, 400);
    const error = JSON.parse(french.body).error;
    assert.equal(error.code, 'not_supported_yet');
    assert.match(error.message, /not supported yet: Crier writes in English only/);
    assert.deepEqual(error.details, { field: 'locale', locale: 'fr' });

    const admin = await inject({
      method: 'POST',
      url: '/api/v1/subscribers',
      headers: t.auth('admin'),
      payload: { email: 'dieter@example.com', locale: 'de-DE' },
    });
    assert.equal(admin.statusCode, 400);
    assert.equal(JSON.parse(admin.body).error.code, 'not_supported_yet');
    assert.equal(
      await t.app.db.selectFrom('subscribers').select('id').executeTakeFirst(),
      undefined,
      'nothing stored',
    );

    const english = await inject({
      method: 'POST',
      url: '/subscribe',
      payload: { email: 'bob@example.com', locale: 'en-GB' },
    });
    assert.equal(english.statusCode, 202, english.body);
    const plain = await inject({
      method: 'POST',
      url: '/api/v1/subscribers',
      headers: t.auth('admin'),
      payload: { email: 'carla@example.com', locale: 'en' },
    });
    assert.equal(plain.statusCode, 201, plain.body);

    const imported = await inject({
      method: 'POST',
      url: '/api/v1/subscribers/import',
      headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
      payload: 'email,locale\r\nx@example.com,en-US\r\ny@example.com,es\r\n',
    });
    const result = JSON.parse(imported.body) as {
      imported: number;
      invalid: number;
      errors: { line: number; message: string }[];
    };
    assert.equal(result.imported, 1);
    assert.equal(result.invalid, 1);
    assert.equal(result.errors[0]?.line, 3);
    assert.match(result.errors[0]?.message ?? '', /not supported yet/);
    const locales = (
      await t.app.db.selectFrom('subscribers').select('locale').orderBy('contact').execute()
    ).map((r) => r.locale);
    assert.deepEqual(locales, ['en-GB', 'en', 'en-US']);
  } finally {
    await t.close();
  }
});
