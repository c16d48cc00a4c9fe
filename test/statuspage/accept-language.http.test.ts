/**
 * The page's own paths answered in the reader's language, on the fast path:
 * `Accept-Language` picks the language, `?lang=` and `/LANG/` state it,
 * every negotiated answer says `Vary: Accept-Language`, and ETags stay right
 * per language. Feeds and `/api/v2` do not depend on the header.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { startTestApp } from '../helpers/http.ts';
import { applyTestPlan, planSecrets, sev1Plan } from '../helpers/plan.ts';

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, path, host: '127.0.0.1', headers }, (res) => {
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

const langOf = (a: Answer) => /<html lang="([a-z]+)"/.exec(a.body)?.[1];

test('the page speaks the language the browser asks for, and says it varies by it', async () => {
  const t = await startTestApp({ name: 'sqlite', url: 'sqlite::memory:' }, { env: { CRIER_DEMO: 'false' } });
  try {
    const incident = await declareIncident(t.app.systemCtx, {
      name: 'Slow logins',
      body: 'Logins are slow.',
    });
    await t.app.statusPage.refresh();
    const port = Number(new URL(await t.app.server.listen({ port: 0, host: '127.0.0.1' })).port);
    const french = { 'accept-language': 'fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5' };

    const plain = await get(port, '/');
    assert.equal(langOf(plain), 'en', 'no header: the plan’s language');
    assert.match(String(plain.headers.vary), /accept-language/i);

    for (const path of ['/', '/history', `/incidents/${incident.id}`]) {
      const fr = await get(port, path, french);
      assert.equal(fr.status, 200, path);
      assert.equal(langOf(fr), 'fr', path);
      assert.equal(fr.headers['x-request-id'], undefined, 'answered before routing, from memory');
      assert.equal(fr.headers.vary, 'accept-encoding, accept-language');
      assert.equal(fr.body, (await get(port, path === '/' ? '/fr' : `/fr${path}`)).body, 'the /fr/ bytes');
    }
    assert.equal(langOf(await get(port, '/', { 'accept-language': 'ja-JP,ja;q=0.9,en;q=0.5' })), 'ja');
    assert.equal(langOf(await get(port, '/', { 'accept-language': 'ar' })), 'ar');
    assert.equal(langOf(await get(port, '/', { 'accept-language': 'zh-CN,zh;q=0.9' })), 'en');
    assert.equal(langOf(await get(port, '/', { 'accept-language': 'fr;q=0, de' })), 'de');

    // A stated choice wins over the header and does not vary by it.
    const stated = await get(port, '/?lang=de', french);
    assert.equal(langOf(stated), 'de');
    assert.equal(stated.headers.vary, 'accept-encoding');
    assert.equal(langOf(await get(port, '/history?lang=en', french)), 'en');
    assert.equal(langOf(await get(port, '/?lang=xx', french)), 'fr', 'an unknown ?lang= is no choice');
    const path = await get(port, '/es/history', french);
    assert.equal(langOf(path), 'es');
    assert.equal(path.headers.vary, 'accept-encoding', 'an address with its language does not vary');
    // The plan's language has its own address too, so a reader who chose it keeps it from link to link.
    const en = await get(port, '/en/history', french);
    assert.equal(langOf(en), 'en');
    assert.match(en.body, /href="\/en\/incidents\//);

    // ETag and 304 per language: the French copy's tag is not the English one's.
    const frTag = String((await get(port, '/', french)).headers.etag);
    const enTag = String(plain.headers.etag);
    assert.notEqual(frTag, enTag);
    const again = await get(port, '/', { ...french, 'if-none-match': frTag });
    assert.equal(again.status, 304);
    assert.equal(again.headers.vary, 'accept-encoding, accept-language', 'a 304 says what it varies by');
    assert.equal((await get(port, '/', { 'accept-language': 'de', 'if-none-match': frTag })).status, 200);
    assert.equal((await get(port, '/', { 'if-none-match': enTag })).status, 304);

    // Feeds, the API and the badge are the same bytes whatever the header.
    for (const p of ['/api/v2/summary.json', '/history.atom', '/badge.svg']) {
      const a = await get(port, p);
      const b = await get(port, p, french);
      assert.equal(a.body, b.body, p);
      assert.equal(b.headers.vary, 'accept-encoding', p);
    }
  } finally {
    await t.close();
  }
});

test("the plan's page.language answers readers whose browser names nothing Crier speaks", async () => {
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
    const port = Number(new URL(await t.app.server.listen({ port: 0, host: '127.0.0.1' })).port);
    assert.equal(langOf(await get(port, '/')), 'fr');
    assert.equal(langOf(await get(port, '/', { 'accept-language': 'zh, *;q=0.1' })), 'fr');
    assert.equal(langOf(await get(port, '/', { 'accept-language': 'en-US,en;q=0.9' })), 'en');
  } finally {
    await t.close();
  }
});
