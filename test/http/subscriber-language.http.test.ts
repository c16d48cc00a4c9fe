/**
 * A subscriber's language: a locale in a language the plan writes messages
 * in (`page.language`, `page.languages`), with or without a region, is
 * stored; any other is refused with `validation_failed` at `locale` on the
 * public form, the admin API and the CSV import, and nothing is stored.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

test('a locale in a language the plan writes is stored; another is refused at locale, storing nothing', async () => {
  const delivery = fs.readFileSync(path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml'), 'utf8');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-language-'));
  const plan = path.join(dir, 'crier.yaml');
  fs.writeFileSync(
    plan,
    delivery.replace(
      'page: { name: Delivery Test, url: https://status.crier.test, time_zone: UTC }',
      'page: { name: Delivery Test, url: https://status.crier.test, time_zone: UTC, languages: [fr] }',
    ),
  );
  const t = await startTestApp(dialect, {
    env: { CRIER_PLAN: plan, CRIER_PUBLIC_URL: 'https://status.crier.test' },
  });
  try {
    const inject = t.app.server.inject.bind(t.app.server);
    const german = await inject({
      method: 'POST',
      url: '/subscribe',
      payload: { email: 'dieter@example.com', locale: 'de' },
    });
    assert.equal(german.statusCode, 400, german.body);
    const error = JSON.parse(german.body).error;
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(error.details, [
      {
        path: 'locale',
        message: 'messages here are written in en, fr: choose one of them (or leave "locale" out)',
      },
    ]);
    const admin = await inject({
      method: 'POST',
      url: '/api/v1/subscribers',
      headers: t.auth('admin'),
      payload: { email: 'dieter@example.com', locale: 'de-DE' },
    });
    assert.equal(admin.statusCode, 400);
    assert.equal(JSON.parse(admin.body).error.code, 'validation_failed');
    assert.equal(await t.app.db.selectFrom('subscribers').select('id').executeTakeFirst(), undefined);

    const french = await inject({
      method: 'POST',
      url: '/subscribe',
      payload: { email: 'anne@example.com', locale: 'fr-CA' },
    });
    assert.equal(french.statusCode, 202, french.body);
    const english = await inject({
      method: 'POST',
      url: '/api/v1/subscribers',
      headers: t.auth('admin'),
      payload: { email: 'carla@example.com', locale: 'en' },
    });
    assert.equal(english.statusCode, 201, english.body);
    const imported = await inject({
      method: 'POST',
      url: '/api/v1/subscribers/import',
      headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
      payload: 'email,locale\r\nx@example.com,fr\r\ny@example.com,es\r\n',
    });
    const result = JSON.parse(imported.body) as {
      imported: number;
      invalid: number;
      errors: { line: number; message: string }[];
    };
    assert.equal(result.imported, 1, imported.body);
    assert.equal(result.invalid, 1);
    assert.equal(result.errors[0]?.line, 3);
    assert.match(result.errors[0]?.message ?? '', /written in en, fr/);
    const locales = (
      await t.app.db.selectFrom('subscribers').select('locale').orderBy('contact').execute()
    ).map((r) => r.locale);
    assert.deepEqual(locales, ['fr-CA', 'en', 'fr']);

    // The form offers the plan's languages; the manage page shows the one chosen and changes it.
    const form = await inject({ method: 'GET', url: '/subscribe' });
    assert.match(
      form.body,
      /<select id="sub-locale" name="locale"><option value="en" lang="en" selected>English<\/option><option value="fr" lang="fr">Français<\/option><\/select>/,
    );
    const posted = await inject({
      method: 'POST',
      url: '/subscribe',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'email=zoe%40example.com&locale=fr',
    });
    assert.equal(posted.statusCode, 200, posted.body);
    const zoe = await t.app.db
      .selectFrom('subscribers')
      .select(['token', 'locale'])
      .where('contact', '=', 'zoe@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(zoe.locale, 'fr');
    const manage = await inject({ method: 'GET', url: `/unsubscribe/${zoe.token}` });
    assert.match(manage.body, /<option value="fr" lang="fr" selected>Français<\/option>/);
    const refused = await inject({
      method: 'POST',
      url: `/manage/${zoe.token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'locale=de',
    });
    assert.equal(refused.statusCode, 400, refused.body);
    const saved = await inject({
      method: 'POST',
      url: `/manage/${zoe.token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'locale=en',
    });
    assert.equal(saved.statusCode, 200, saved.body);
    const after = await t.app.db
      .selectFrom('subscribers')
      .select('locale')
      .where('contact', '=', 'zoe@example.com')
      .executeTakeFirstOrThrow();
    assert.equal(after.locale, 'en');
  } finally {
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
