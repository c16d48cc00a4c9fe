/**
 * The status page in a real browser (Debian's Chromium through
 * playwright-core) against a real `crier serve`: an incident declared
 * through the API appears without a reload, the embed shows and dismisses
 * it on another origin, axe finds no serious or critical violation in
 * light or dark mode, and the Arabic page is laid out right to left.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { root, type Server, startServer, tempDir } from './helpers/process.ts';

const token = 'e2e-status-page-admin-token';
const axeSource = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
let server: Server;
let browser: Browser;

async function admin(method: string, url: string, body?: object): Promise<{ id: string }> {
  const res = await fetch(server.url + url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as { id: string };
}

async function axe(page: Page, label: string): Promise<void> {
  // Evaluated through the debugging protocol, so the page's Content-Security-Policy stays in force.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const w = globalThis as unknown as {
      axe: {
        run(): Promise<{
          violations: { id: string; impact: string; help: string; nodes: { html: string }[] }[];
        }>;
      };
    };
    return w.axe.run();
  });
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.html)
          .slice(0, 3)
          .join(' | ')}`,
    ),
    [],
    `axe on ${label}`,
  );
}

before(async () => {
  const dir = tempDir();
  server = await startServer({
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_ADMIN_TOKEN: token,
    CRIER_DEMO: 'false',
    CRIER_PAGE_NAME: 'Acme Cloud',
    CRIER_PAGE_TIME_ZONE: 'Europe/Paris',
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('an incident declared through the API appears on the open page without a reload, and axe passes', async () => {
  const api = await admin('POST', '/api/v1/components', { name: 'API' });
  const web = await admin('POST', '/api/v1/components', { name: 'Website' });
  await admin('POST', '/api/v1/component-groups', { name: 'Core platform', components: [api.id, web.id] });
  const context = await browser.newContext({ timezoneId: 'America/New_York' });
  const page = await context.newPage();
  await page.goto(server.url);
  assert.equal(await page.locator('h1.banner').textContent(), 'All Systems Operational');
  await axe(page, 'the front page, light');
  // A marker that a reload would wipe.
  await page.evaluate(() => {
    (globalThis as unknown as { marker: number }).marker = 42;
  });

  const incident = await admin('POST', '/api/v1/incidents', {
    name: 'Checkout <b>errors</b>',
    body: 'Payments fail for **some** customers. [Details](javascript:alert(1))',
    components: { [api.id]: 'major_outage' },
  });
  await page.locator(`article[data-id="${incident.id}"]`).waitFor({ timeout: 10_000 });
  assert.equal(
    await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
    42,
    'no reload',
  );
  assert.equal(await page.locator('h1.banner').textContent(), 'Major System Outage');
  assert.equal(
    await page.locator(`article[data-id="${incident.id}"] h3`).textContent(),
    'Checkout <b>errors</b>',
  );
  assert.equal(await page.locator('article a[href^="javascript:"]').count(), 0);
  assert.match(
    (await page.locator(`article[data-id="${incident.id}"] time`).first().textContent()) ?? '',
    /your time/,
    "the reader's own time zone is shown next to the page's",
  );
  await axe(page, 'the front page with an incident, light');

  await page.emulateMedia({ colorScheme: 'dark' });
  await axe(page, 'the front page with an incident, dark');
  await page.goto(`${server.url}/incidents/${incident.id}`);
  await axe(page, 'the incident page, dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(`${server.url}/history`);
  await axe(page, 'the history page');

  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(server.url);
  const overflow = await page.evaluate(() => {
    const d = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document;
    return d.documentElement.scrollWidth - d.documentElement.clientWidth;
  });
  assert.ok(overflow <= 0, 'no horizontal scrolling on a phone');
  await context.close();
});

test('/ar/ reads right to left: the document says so, inline-start sits on the right, and axe passes', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    type Box = { x: number; width: number };
    type Boxes = {
      dir: string;
      brand: Box;
      nav: Box;
      name: Box;
      state: Box;
      ago: Box;
      today: Box;
      flip: string;
    };
    const boxes = async (): Promise<Boxes> => {
      const box = async (selector: string): Promise<Box> => {
        const b = await page.locator(selector).first().boundingBox();
        assert.ok(b, `${selector} is laid out`);
        return { x: b.x, width: b.width };
      };
      const row = '.components :is(summary, .row)';
      return {
        dir: await page.evaluate(() => (globalThis as unknown as { document: { dir: string } }).document.dir),
        brand: await box('.top .brand'),
        nav: await box('.top nav'),
        name: await box(`${row} .name`),
        state: await box(`${row} .st`),
        ago: await box('.components > .component .uptime figcaption span:first-child'),
        today: await box('.components > .component .uptime figcaption span:last-child'),
        flip: await page
          .locator('.components > .component .uptime svg')
          .first()
          .evaluate(
            (svg) =>
              (
                globalThis as unknown as { getComputedStyle(e: unknown): { transform: string } }
              ).getComputedStyle(svg).transform,
          ),
      };
    };
    // A component of its own, outside any group, shows its uptime bar.
    await admin('POST', '/api/v1/components', { name: 'Billing' });
    await page.goto(`${server.url}/ar/`);
    await page.locator('.components > .component .uptime').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('h2#components-h').textContent(), 'المكونات');
    const ar = await boxes();
    assert.equal(ar.dir, 'rtl');
    assert.ok(
      ar.brand.x > ar.nav.x + ar.nav.width,
      'the page name, at inline-start, is on the right of the links',
    );
    assert.ok(ar.name.x > ar.state.x + ar.state.width, "a component's name is on the right of its state");
    assert.ok(
      ar.ago.x > ar.today.x + ar.today.width,
      "the bar's caption: 90 days ago on the right, today on the left",
    );
    assert.equal(ar.flip, 'matrix(-1, 0, 0, 1, 0, 0)', 'the bar itself runs the same way as its caption');
    await axe(page, 'the Arabic front page');
    await page.goto(`${server.url}/ar/history`);
    await axe(page, 'the Arabic history page');

    await page.goto(server.url);
    const en = await boxes();
    assert.equal(en.dir, 'ltr');
    assert.ok(en.brand.x + en.brand.width < en.nav.x, 'English keeps the page name on the left');
    assert.ok(en.name.x + en.name.width < en.state.x);
    assert.ok(en.ago.x + en.ago.width < en.today.x);
    assert.equal(en.flip, 'none');
  } finally {
    await context.close();
  }
});

test('the French and Japanese pages say their language and pass axe', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    for (const lang of ['fr', 'ja']) {
      for (const at of [`/${lang}/`, `/${lang}/history`]) {
        await page.goto(`${server.url}${at}`);
        const html = page.locator('html');
        assert.equal(await html.getAttribute('lang'), lang, at);
        assert.equal(await html.getAttribute('dir'), 'ltr', at);
        await axe(page, at);
      }
    }
  } finally {
    await context.close();
  }
});

test('the page is complete with JavaScript off, and the page script breaks no CSP rule', async () => {
  const noScript = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await noScript.newPage();
    await page.goto(server.url);
    assert.match((await page.locator('h1.banner').textContent()) ?? '', /Outage|Operational/);
    assert.ok((await page.locator('.components .component').count()) >= 2);
    assert.ok((await page.locator('article.incident').count()) >= 1, 'incidents are server-rendered');
  } finally {
    await noScript.close();
  }
  const withScript = await browser.newContext();
  try {
    const page = await withScript.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(server.url);
    await page.waitForLoadState('networkidle').catch(() => {});
    assert.deepEqual(violations, []);
  } finally {
    await withScript.close();
  }
});

test('the embed shows active incidents on another site, live, and can be dismissed', async () => {
  const host = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><head><title>Customer app</title></head><body><main><h1>My app</h1></main><script src="${server.url}/embed.js" async data-position="bottom"></script></body></html>`,
    );
  });
  await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
  const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}/`;
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(hostUrl);
    const incident = await admin('POST', '/api/v1/incidents', {
      name: 'Search is slow <img src=x>',
      body: 'Looking.',
    });
    const row = page.locator(`[data-crier-embed] .item[data-id="${incident.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    assert.equal(await row.locator('a').textContent(), 'Search is slow <img src=x>');
    await row.getByRole('button').click();
    await row.waitFor({ state: 'detached', timeout: 5_000 });
    await page.reload();
    await page.locator('[data-crier-embed] .box').waitFor({ state: 'attached', timeout: 10_000 });
    await page.waitForTimeout(300);
    assert.equal(
      await page.locator(`[data-crier-embed] .item[data-id="${incident.id}"]`).count(),
      0,
      'stays dismissed',
    );
  } finally {
    await context.close();
    host.close();
  }
});

test('a page read by ?lang=fr stays French through a live update, its live words French too', async () => {
  const context = await browser.newContext({ timezoneId: 'America/New_York', locale: 'en-US' });
  try {
    const page = await context.newPage();
    await page.goto(`${server.url}/?lang=fr`);
    const component = await admin('POST', '/api/v1/components', { name: 'Search' });
    const incident = await admin('POST', '/api/v1/incidents', {
      name: 'Search is slow',
      body: 'Searches take a minute for some customers.',
      components: { [component.id]: 'partial_outage' },
    });
    await page.locator(`article[data-id="${incident.id}"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    // <main> was swapped in from the address the page was read at: the French page, not the
    // English one this browser's Accept-Language would get.
    assert.equal(await page.locator('h2#components-h').textContent(), 'Composants');
    assert.match(
      (await page.locator(`article[data-id="${incident.id}"]`).textContent()) ?? '',
      /Concerne : Search/,
    );
    assert.match(
      (await page.locator(`article[data-id="${incident.id}"] time`).first().textContent()) ?? '',
      /à votre heure\)$/,
    );
    assert.match((await page.locator('footer .live').textContent()) ?? '', /^Mis à jour à /);
  } finally {
    await context.close();
  }
});
