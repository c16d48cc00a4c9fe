/**
 * Private pages per audience. A private enterprise incident, declared and
 * updated through the API with a subscriber of every reachable kind in the
 * public and enterprise audiences: the enterprise subscriber's email carries
 * a link signed for them that opens the enterprise page (and its incident,
 * with the component in the incident's state); the page is private and not
 * indexed, its feeds and API need the audience's token, revoking the links
 * closes it, staff open it signed in to the console and an allowed network
 * without a link. A French reader through the link reads it in French
 * (`lang="fr"`), its switcher staying below the audience's address. Nothing public moves: the page, every file the static
 * export writes, the API and the feeds are byte for byte as they were, the
 * public component never moves, and no public subscriber hears a word.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { type App, createApp } from '../../src/app.ts';
import { openPageLink } from '../../src/services/pages/links.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, openTestDb, outboxDrained, silentLog, testConfig, testCtx } from '../helpers/db.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const plan = `version: 1
page: { name: Private Test, url: https://status.crier.test, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@crier.test] }
severities:
  SEV2: { external_cadence: 1h, approval: none, audiences: [public, enterprise, partners, internal] }
audiences:
  public: { channels: [email, webhook] }
  enterprise: { channels: [email, webhook], private_page: true }
  partners: { channels: [email], private_page: { links: false, staff: false, networks: [127.0.0.0/8, "::1"] } }
  internal: { channels: [] }
channels:
  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  webhook: { type: webhook }
`;

const publicRoutes = [
  '/',
  '/history',
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/history.atom',
  '/history.rss',
  '/maintenances.ics',
  '/badge.svg',
];

const cookieOf = (header: unknown) => String(header).split(';')[0] ?? '';

for (const dialect of dialects) {
  test(`a private incident shows on its audience's page through a signed link and nowhere public [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const stand = await startReceiver(() => ({ status: 200, body: 'ok' }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-private-'));
    fs.writeFileSync(path.join(dir, 'crier.yaml'), plan);
    const t = await openTestDb(dialect).catch(async (err: unknown) => {
      await Promise.all([smtp.close(), stand.close()]);
      throw err;
    });
    let app: App | undefined;
    try {
      app = await createApp(
        testConfig({
          CRIER_PLAN: path.join(dir, 'crier.yaml'),
          CRIER_ALLOW_PRIVATE_NETWORK: 'true',
          CRIER_PUBLIC_URL: 'https://status.crier.test',
          CRIER_WORKER_POLL_MS: '50',
          SMTP_URL: smtp.url,
        }),
        { db: t.db, timers: false, worker: true, log: silentLog },
      );
      const server = app.server;
      const auth = {
        authorization: `Bearer ${(await createToken(testCtx(t.db), { name: 'ivy@crier.test', role: 'admin' })).token}`,
      };
      const api = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => {
        const res = await server.inject({ method, url, headers: auth, ...(payload && { payload }) });
        assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
        return JSON.parse(res.body) as Record<string, unknown>;
      };
      // A remote reader: not on the loopback network partners allow.
      const get = (url: string, headers: Record<string, string> = {}) =>
        server.inject({ url, headers, remoteAddress: '198.51.100.7' });

      const apiId = String((await api('POST', '/api/v1/components', { name: 'API' })).id);
      await api('POST', '/api/v1/subscribers', { audience: 'public', email: 'customer@example.com' });
      await api('POST', '/api/v1/subscribers', { audience: 'public', webhook: `${stand.url}/hook/public` });
      const buyer = await api('POST', '/api/v1/subscribers', {
        audience: 'enterprise',
        email: 'buyer@enterprise.example',
      });
      await api('POST', '/api/v1/subscribers', {
        audience: 'enterprise',
        webhook: `${stand.url}/hook/enterprise`,
      });
      await outboxDrained(t.db);
      stand.requests.length = 0;
      smtp.mails.length = 0;

      const publicOutputs = async () => {
        await app?.statusPage.refresh();
        const files = new Map([...(app?.statusPage.surface?.files ?? [])].map(([p, f]) => [p, f.body]));
        for (const url of publicRoutes) files.set(`GET ${url}`, (await get(url)).body);
        return files;
      };
      const before = await publicOutputs();

      const declared = await api('POST', '/api/v1/incidents', {
        name: 'Enterprise SSO failing',
        severity: 'SEV2',
        audience: 'enterprise',
        body: 'Single sign-on fails for enterprise accounts. Next update by 11:00 UTC.',
        components: { [apiId]: 'major_outage' },
      });
      const id = String(declared.id);
      const updates = declared.incident_updates as { state: string; audience: string }[];
      assert.deepEqual(
        updates.map((u) => [u.state, u.audience]),
        [['published', 'enterprise']],
      );
      await api('POST', `/api/v1/incidents/${id}/updates`, {
        status: 'identified',
        audience: 'enterprise',
        body: 'We found why single sign-on fails and are fixing it. Next update by 11:30 UTC.',
      });
      const publicWord = await server.inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/updates`,
        headers: auth,
        payload: {
          status: 'identified',
          audience: 'public',
          body: 'Sign-on fails. Next update by 11:30 UTC.',
        },
      });
      assert.equal(publicWord.statusCode, 422, publicWord.body);
      assert.equal(JSON.parse(publicWord.body).error.code, 'audience_not_found');
      assert.equal((await api('GET', `/api/v1/components/${apiId}`)).status, 'operational');
      await outboxDrained(t.db, 20_000);

      // No public subscriber heard anything; the enterprise ones did.
      assert.deepEqual(
        stand.requests.map((r) => r.url).filter((u) => u !== '/hook/enterprise'),
        [],
      );
      assert.deepEqual([...new Set(smtp.mails.flatMap((m) => m.to))], ['buyer@enterprise.example']);
      await waitFor(() => smtp.mails.length >= 2, 10_000, 'both enterprise mails');
      const mail = smtp.mails[0];
      assert.ok(mail);
      const link = mail.text.match(
        /https:\/\/status\.crier\.test(\/a\/enterprise\/incidents\/[^\s?]+\?k=[\w.-]+)/,
      );
      assert.ok(link?.[1], `the mail links to the private page with a signed link: ${mail.text}`);

      // Everything public, byte for byte.
      const after = await publicOutputs();
      assert.deepEqual(
        [...after.keys()].sort(),
        [...before.keys()].sort(),
        'no public file added or removed',
      );
      for (const [p, body] of before) assert.equal(after.get(p), body, `${p} changed`);
      assert.doesNotMatch([...after.values()].join('\n'), /Enterprise SSO|single sign-on/i);

      // Without a link, the page is closed; the link opens it and moves into a cookie.
      const closed = await get('/a/enterprise/');
      assert.equal(closed.statusCode, 403);
      assert.match(closed.body, /This page is private/);
      assert.equal((await get('/a/nobody/')).statusCode, 404);
      const opened = await get(link[1]);
      assert.equal(opened.statusCode, 303);
      assert.equal(opened.headers.location, `/a/enterprise/incidents/${id}`);
      const setCookie = String(opened.headers['set-cookie']);
      assert.match(
        setCookie,
        /^crier_page_enterprise=.+; Max-Age=2592000; Path=\/a\/enterprise; HttpOnly; Secure; SameSite=Lax/,
      );
      const cookie = cookieOf(setCookie);

      const page = await get(`/a/enterprise/incidents/${id}`, { cookie });
      assert.equal(page.statusCode, 200);
      assert.equal(page.headers['cache-control'], 'private, no-cache');
      assert.equal(page.headers['x-robots-tag'], 'noindex, nofollow');
      assert.equal(page.headers['access-control-allow-origin'], undefined);
      assert.match(page.body, /<meta name="robots" content="noindex, nofollow">/);
      assert.match(page.body, /Enterprise SSO failing/);
      assert.match(page.body, /We found why single sign-on fails/);
      assert.match(page.body, /data-events="\/a\/enterprise\/events"/);
      const front = await get('/a/enterprise/', { cookie });
      assert.equal(front.statusCode, 200);
      assert.match(front.body, /<span class="name">API<\/span><span class="st st-major_outage">/);
      assert.doesNotMatch(front.body, /href="\/subscribe/);
      const revalidated = await get('/a/enterprise/', {
        cookie,
        'if-none-match': String(front.headers.etag),
      });
      assert.equal(revalidated.statusCode, 304);

      // A French reader through the magic link: the page in French, chosen as the public page's are.
      const french = { 'accept-language': 'fr-FR,fr;q=0.9,en;q=0.5' };
      const frOpened = await get(link[1], french);
      assert.equal(frOpened.statusCode, 303);
      const frCookie = cookieOf(frOpened.headers['set-cookie']);
      const frPage = await get(String(frOpened.headers.location), { ...french, cookie: frCookie });
      assert.equal(frPage.statusCode, 200);
      assert.match(frPage.body, /<html lang="fr" dir="ltr">/);
      assert.match(frPage.body, /Enterprise SSO failing/);
      assert.match(frPage.body, /Cette page est réservée à l’audience enterprise/);
      assert.match(frPage.body, /data-events="\/a\/enterprise\/events"/);
      assert.equal(frPage.headers.vary, 'accept-encoding, cookie, authorization, accept-language');
      assert.equal(frPage.headers['cache-control'], 'private, no-cache');
      assert.equal(frPage.headers['x-robots-tag'], 'noindex, nofollow');
      assert.match(frPage.body, /<meta name="robots" content="noindex, nofollow">/);
      // Its switcher and links stay below the private page's address.
      assert.match(frPage.body, new RegExp(`href="/a/enterprise/de/incidents/${id}" hreflang="de"`));
      assert.match(frPage.body, /<a class="brand" href="\/a\/enterprise\/fr\/">/);
      assert.doesNotMatch(frPage.body, /href="\/(fr|de|en)\//, 'no link to the public page in a language');
      // Once quiet, compressed at the best ratio, the French answer chosen again among the polished entries.
      const frBr = { ...french, cookie: frCookie, 'accept-encoding': 'br' };
      let polished = await get(String(frOpened.headers.location), frBr);
      // Polishing alone (no render between) must hand the reader the polished entry; it gives way to a
      // refresh that is due, so it is asked again until one pass completes.
      for (let i = 0; i < 20 && !/-br"$/.test(String(polished.headers.etag)); i++) {
        await app.statusPage.polish();
        polished = await get(String(frOpened.headers.location), frBr);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(String(polished.headers.etag), /^"[\w-]+-br"$/);
      assert.equal(zlib.brotliDecompressSync(polished.rawPayload).toString(), frPage.body);
      assert.equal(polished.headers.vary, 'accept-encoding, cookie, authorization, accept-language');
      // The same bytes at its own address in French, and by `?lang=`, which a link may carry through the redirect.
      const atFr = await get(`/a/enterprise/fr/incidents/${id}`, { cookie: frCookie });
      assert.equal(atFr.body, frPage.body);
      assert.equal(atFr.headers.vary, 'accept-encoding, cookie, authorization');
      const stated = await get(`${link[1]}&lang=ar`);
      assert.equal(stated.headers.location, `/a/enterprise/incidents/${id}?lang=ar`);
      const arabic = await get(String(stated.headers.location), { ...french, cookie: frCookie });
      assert.match(arabic.body, /<html lang="ar" dir="rtl">/);
      // The plan's language for a reader who asks for none; the French page stays closed without the door.
      assert.match((await get('/a/enterprise/', { cookie })).body, /<html lang="en" dir="ltr">/);
      const frClosed = await get('/a/enterprise/fr/', french);
      assert.equal(frClosed.statusCode, 403);
      assert.match(frClosed.body, /<html lang="fr" dir="ltr">/);
      assert.match(frClosed.body, /<h1>Cette page est privée<\/h1>/);
      assert.doesNotMatch(frClosed.body, /Enterprise SSO/);

      // Its feeds and API: behind the audience's token, which the page links them with.
      const token = front.body.match(/\/a\/enterprise\/api\/v2\/summary\.json\?token=([\w-]+)/)?.[1];
      assert.ok(token, 'the page links its API with the token');
      const noToken = await get('/a/enterprise/api/v2/summary.json');
      assert.equal(noToken.statusCode, 401);
      assert.equal(JSON.parse(noToken.body).error.code, 'unauthenticated');
      assert.equal((await get('/a/enterprise/api/v2/summary.json?token=wrong')).statusCode, 401);
      const summary = await get(`/a/enterprise/api/v2/summary.json?token=${token}`);
      assert.equal(summary.statusCode, 200);
      assert.equal(summary.headers['cache-control'], 'private, no-cache');
      const doc = JSON.parse(summary.body) as {
        page: { url: string };
        incidents: { id: string; shortlink: string }[];
        components: { id: string; status: string }[];
      };
      assert.equal(doc.page.url, 'https://status.crier.test/a/enterprise');
      assert.deepEqual(
        doc.incidents.map((i) => [i.id, i.shortlink]),
        [[id, `https://status.crier.test/a/enterprise/incidents/${id}`]],
      );
      assert.equal(doc.components.find((c) => c.id === apiId)?.status, 'major_outage');
      const feed = await get('/a/enterprise/history.atom', { authorization: `Bearer ${token}` });
      assert.equal(feed.statusCode, 200);
      assert.match(feed.body, /Enterprise SSO failing/);

      // Links last 30 days; revoking closes the page to every link signed until then, the cookie's too.
      const signed = link[1].split('k=')[1] ?? '';
      const now = Date.now();
      assert.ok(await openPageLink(t.db, 'enterprise', signed, new Date(now + 29 * 86_400_000)));
      assert.equal(await openPageLink(t.db, 'enterprise', signed, new Date(now + 31 * 86_400_000)), null);
      assert.equal(await openPageLink(t.db, 'partners', signed, new Date(now)), null, 'not another audience');
      assert.equal(await openPageLink(t.db, 'enterprise', `${signed}x`, new Date(now)), null, 'not forged');
      await api('DELETE', `/api/v1/subscribers/${String(buyer.id)}/page-link`);
      assert.equal((await get('/a/enterprise/', { cookie })).statusCode, 403);
      const relink = await get(link[1]);
      assert.equal(relink.statusCode, 403);
      assert.match(relink.body, /This link no longer opens the page/);
      const arRelink = await get(`${link[1]}&lang=ar`, french);
      assert.equal(arRelink.statusCode, 403);
      assert.match(arRelink.body, /<html lang="ar" dir="rtl">/);
      assert.match(arRelink.body, /<h1>لم يعد هذا الرابط يفتح الصفحة<\/h1>/);
      const fresh = await api('POST', `/api/v1/subscribers/${String(buyer.id)}/page-link`);
      const freshPath = String(fresh.url).replace('https://status.crier.test', '');
      const reopened = await get(freshPath);
      assert.equal(reopened.statusCode, 303);
      assert.equal(
        (await get('/a/enterprise/', { cookie: cookieOf(reopened.headers['set-cookie']) })).statusCode,
        200,
      );

      // Staff: signed in to the console.
      await api('POST', '/api/v1/users', {
        email: 'carol@crier.test',
        role: 'viewer',
        password: 'a long enough password',
      });
      const signIn = await server.inject({
        method: 'POST',
        url: '/console/sign-in',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://status.crier.test' },
        payload: new URLSearchParams({
          email: 'carol@crier.test',
          password: 'a long enough password',
        }).toString(),
      });
      assert.equal(signIn.statusCode, 303, signIn.body);
      assert.equal(
        (await get('/a/enterprise/', { cookie: cookieOf(signIn.headers['set-cookie']) })).statusCode,
        200,
      );

      // Partners: an allowed network opens it without a link; staff may not, as the plan says.
      const local = await server.inject({ url: '/a/partners/', remoteAddress: '127.0.0.1' });
      assert.equal(local.statusCode, 200);
      assert.doesNotMatch(local.body, /Enterprise SSO/, "another audience's private incident stays its own");
      assert.equal(
        (await get('/a/partners/', { cookie: cookieOf(signIn.headers['set-cookie']) })).statusCode,
        403,
      );
    } finally {
      await app?.close();
      await t.close();
      await Promise.all([smtp.close(), stand.close()]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
