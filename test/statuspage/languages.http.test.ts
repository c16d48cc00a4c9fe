/**
 * The page in every language Crier speaks: each rendered on change below
 * `/LANG/` and answered from memory on the fast path like the default one;
 * `<html lang>`, the words, the plurals and the dates (in the page's time
 * zone) in that language; a switcher to the same page in each other; and
 * the plan's `page.language` moving the default to the page's own address.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { startTestApp } from '../helpers/http.ts';
import { applyTestPlan, planSecrets, sev1Plan } from '../helpers/plan.ts';

function get(
  port: number,
  path: string,
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, path, host: '127.0.0.1' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      })
      .on('error', reject);
  });
}

test('the page in French, German, Spanish, Portuguese and Japanese, below /LANG/, from memory', async () => {
  const t = await startTestApp({ name: 'sqlite', url: 'sqlite::memory:' }, { env: { CRIER_DEMO: 'false' } });
  try {
    const incident = await declareIncident(t.app.systemCtx, {
      name: 'Slow <logins>',
      body: 'Logins are slow.',
      started_at: '2026-11-27T09:05:00Z',
    });
    await t.app.statusPage.refresh();
    const port = Number(new URL(await t.app.server.listen({ port: 0, host: '127.0.0.1' })).port);

    const en = await get(port, '/');
    assert.match(en.body, /<html lang="en" dir="ltr">/);
    assert.match(en.body, /<h2 id="incidents-h">Current incidents<\/h2>/);
    assert.match(en.body, /<span class="badge">Investigating<\/span> Impact: none/);

    const fr = await get(port, '/fr');
    assert.equal(fr.status, 200);
    assert.equal(fr.headers['x-request-id'], undefined, 'answered before routing, from memory');
    assert.match(fr.body, /<html lang="fr" dir="ltr">/);
    assert.match(fr.body, /<h2 id="incidents-h">Incidents en cours<\/h2>/);
    assert.match(fr.body, /<span class="badge">Analyse en cours<\/span> Impact : aucun/);
    assert.match(fr.body, /Slow &lt;logins&gt;/, 'user text stays escaped');
    assert.match(fr.body, /href="\/fr\/incidents\//, 'links stay in the language');
    assert.match(fr.body, /href="\/history\.atom"/, 'feeds are the same for every language');
    assert.match(fr.body, /<a href="\/en\/" hreflang="en" lang="en">English<\/a>/);
    assert.match(fr.body, /<a href="\/fr\/" hreflang="fr" lang="fr" aria-current="page">Français<\/a>/);

    const frPage = await get(port, `/fr/incidents/${incident.id}`);
    const french = new Intl.DateTimeFormat('fr-FR', {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    });
    const declared = incident.incident_updates[0]?.display_at ?? '';
    assert.ok(
      frPage.body.includes(french.format(new Date(declared))),
      'a French date, in the page time zone',
    );
    // Customers are asked about each update in the page's language; the answer goes to the same place.
    const ask = (lang: string, words: string) =>
      `<form class="helpful" method="post" action="/feedback/${incident.incident_updates[0]?.id}?lang=${lang}"><span>${words}</span>`;
    assert.ok(frPage.body.includes(ask('fr', 'Cette mise à jour vous a-t-elle aidé ?')), 'asked in French');
    assert.match(
      frPage.body,
      /<button type="submit" name="helpful" value="yes">Oui<\/button> <button type="submit" name="helpful" value="no">Non<\/button>/,
    );
    assert.ok(!frPage.body.includes('Was this update helpful?'));
    const jaPage = await get(port, `/ja/incidents/${incident.id}`);
    assert.ok(jaPage.body.includes(ask('ja', 'このお知らせは役に立ちましたか？')), 'asked in Japanese');
    assert.ok(
      (await get(port, `/incidents/${incident.id}`)).body.includes(ask('en', 'Was this update helpful?')),
    );
    assert.match(jaPage.body, /<html lang="ja" dir="ltr">/);
    assert.match(jaPage.body, /\d{4}年\d{1,2}月\d{1,2}日/);
    assert.match(jaPage.body, /調査中/);
    assert.match((await get(port, '/de/history')).body, /<h1>Störungsverlauf<\/h1>/);
    assert.match((await get(port, '/es')).body, /Incidencias actuales/);
    assert.match((await get(port, '/pt')).body, /Incidentes atuais/);
    assert.match(
      (await get(port, '/fr/history')).body,
      /<a href="\/de\/history" hreflang="de" lang="de">Deutsch<\/a>/,
      'the switcher leads to the same page',
    );
  } finally {
    await t.close();
  }
});

test("the plan's page.language speaks at the page's own address and below its own /LANG/", async () => {
  const t = await startTestApp(
    { name: 'sqlite', url: 'sqlite::memory:' },
    { env: { ...planSecrets, CRIER_DEMO: 'false' } },
  );
  try {
    await applyTestPlan(
      t.app.systemCtx,
      sev1Plan.replace(/time_zone: Europe\/Paris/, 'time_zone: Europe/Paris, language: fr'),
    );
    await t.app.statusPage.refresh();
    const root = await t.app.server.inject({ url: '/' });
    assert.match(root.body, /<html lang="fr" dir="ltr">/);
    assert.match(root.body, /<title>État de Acme Cloud<\/title>/);
    assert.match(root.body, /Heures affichées dans le fuseau Europe\/Paris\./);
    const english = await t.app.server.inject({ url: '/en' });
    assert.equal(english.statusCode, 200);
    assert.match(english.body, /<html lang="en" dir="ltr">/);
    assert.match(english.body, /<a href="\/fr\/" hreflang="fr" lang="fr">Français<\/a>/);
    const french = await t.app.server.inject({ url: '/fr' });
    assert.equal(french.statusCode, 200, 'a reader who chose French keeps it whatever the browser says');
    assert.match(french.body, /<html lang="fr" dir="ltr">/);
  } finally {
    await t.close();
  }
});
