/**
 * A refused subscription said in the reader's language: the subscribe
 * form's and the manage page's refusals in French and Arabic, from the
 * error's code and field, while the API's JSON errors stay English.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { type App, createApp } from '../../src/app.ts';
import { dialects, openTestDb, silentLog, testConfig } from '../helpers/db.ts';

const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

const plan = `version: 1
page: { name: Acme, url: https://status.crier.test, time_zone: UTC, languages: [fr] }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
channels:
  email: { type: email-smtp, url: "smtp://127.0.0.1:9", from: status@crier.test }
`;

const form = { 'content-type': 'application/x-www-form-urlencoded' };

test('the subscribe form and the manage page say why they refused in French and in Arabic; the API stays English', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-refusals-'));
  fs.writeFileSync(path.join(dir, 'crier.yaml'), plan);
  const t = await openTestDb(dialect);
  let app: App | undefined;
  try {
    app = await createApp(
      testConfig({
        CRIER_PLAN: path.join(dir, 'crier.yaml'),
        CRIER_PUBLIC_URL: 'https://status.crier.test',
        CRIER_DEMO: 'false',
      }),
      { db: t.db, timers: false, worker: false, log: silentLog },
    );
    await app.statusPage.refresh();
    const inject = app.server.inject.bind(app.server);
    const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
      inject({ method: 'POST', url, headers: { ...form, ...headers }, payload });

    // French, by the form's own address: a malformed email address.
    const email = await post('/subscribe?lang=fr', 'email=%3Cb%3Enot-an-address');
    assert.equal(email.statusCode, 400);
    assert.match(email.body, /<html lang="fr" dir="ltr">/);
    assert.match(email.body, /<h1>Abonnement non enregistré<\/h1>/);
    assert.match(email.body, /<p>Cette adresse e-mail n’est pas valide\. Vérifiez-la et réessayez\.<\/p>/);
    assert.doesNotMatch(email.body, /lang="en"|not valid|<b>/);
    // Two ways to reach at once, and a language the plan does not write in.
    const two = await post('/subscribe?lang=fr', 'email=anne%40example.com&phone=%2B33612345678');
    assert.match(two.body, /<p>Remplissez un seul moyen de vous joindre\.<\/p>/);
    const locale = await post('/subscribe?lang=fr', 'email=anne%40example.com&locale=ja');
    assert.match(locale.body, /<p>Choisissez une langue dans la liste\.<\/p>/);

    // Arabic, by the browser's language: text messages are not offered here; a private address.
    const arabic = { 'accept-language': 'ar' };
    const sms = await post('/subscribe', 'phone=%2B14155550100', arabic);
    assert.equal(sms.statusCode, 400);
    assert.match(sms.body, /<html lang="ar" dir="rtl">/);
    assert.match(
      sms.body,
      /<p>لا تُرسل التحديثات هنا إلى هذا النوع من جهات الاتصال\. اختر طريقة أخرى للوصول إليك\.<\/p>/,
    );
    assert.match(sms.body, /<a href="\/subscribe\?lang=ar">/);
    const unknown = await post('/subscribe', 'email=zaid%40example.com&component_ids=nope', arabic);
    assert.match(unknown.body, /<p>بعض المكونات التي اخترتها لم تعد موجودة\. اخترها مرة أخرى\.<\/p>/);

    // The API's answers to the same inputs: English, exact, unchanged.
    const api = await inject({ method: 'POST', url: '/subscribe', payload: { phone: '+14155550100' } });
    assert.equal(api.statusCode, 400);
    const error = JSON.parse(api.body).error as { code: string; message: string };
    assert.equal(error.code, 'channel_not_offered');
    assert.equal(error.message, 'Subscriptions by sms are not offered here.');
    const apiEmail = await inject({ method: 'POST', url: '/subscribe', payload: { email: 'nope' } });
    assert.equal(JSON.parse(apiEmail.body).error.code, 'validation_failed');
    assert.doesNotMatch(apiEmail.body, /[àéè]|اختر/);

    // The manage page: a language the plan does not write in, refused in the reader's language.
    const ok = await inject({ method: 'POST', url: '/subscribe', payload: { email: 'anne@example.com' } });
    assert.equal(ok.statusCode, 202, ok.body);
    const row = await t.db.selectFrom('subscribers').select('token').executeTakeFirstOrThrow();
    const manage = await post(`/manage/${row.token}?lang=ar`, 'locale=ja');
    assert.equal(manage.statusCode, 400);
    assert.match(manage.body, /<html lang="ar" dir="rtl">/);
    assert.match(manage.body, /<p>اختر لغة من القائمة\.<\/p>/);
    const manageFr = await post(`/manage/${row.token}?lang=fr`, 'locale=ja');
    assert.match(manageFr.body, /<p>Choisissez une langue dans la liste\.<\/p>/);
  } finally {
    await app?.close();
    await t.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
