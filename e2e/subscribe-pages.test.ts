/**
 * The subscribe, confirm, manage and unsubscribe pages in a real browser
 * (Debian's Chromium through playwright-core) against a real `crier serve`
 * and a real SMTP server: they wear the status page's header, colour and
 * type, fit a 375 px phone, pass axe in light and dark, and break no CSP
 * rule. A fresh install says plainly that email is not offered; once a
 * plan with an email channel is applied, a reader subscribes by email,
 * opens the link from the mail (which confirms nothing by itself), presses
 * the button, and a second visit says only "already confirmed".
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type SmtpSink, startSmtpSink } from '../test/helpers/smtp.ts';
import { launchChromium } from './helpers/browser.ts';
import { root, type Server, startServer, tempDir } from './helpers/process.ts';

const token = 'e2e-subscribe-pages-admin-token';
const accent = '#0f766e';
const axeSource = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
let server: Server;
let smtp: SmtpSink;
let browser: Browser;

async function admin(method: string, url: string, body?: object): Promise<unknown> {
  const res = await fetch(server.url + url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
  return res.json();
}

/** axe in light and dark, the page's look, no overflow at 375 px. */
async function check(page: Page, label: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
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
      `axe on ${label}, ${scheme}`,
    );
  }
  await page.emulateMedia({ colorScheme: 'light' });
  const look = await page.evaluate(() => {
    type El = { getAttribute(name: string): string | null };
    const w = globalThis as unknown as {
      document: {
        documentElement: { scrollWidth: number; clientWidth: number };
        body: El;
        querySelector(selector: string): El | null;
      };
      getComputedStyle(el: El): { fontFamily: string; backgroundColor: string };
    };
    const d = w.document;
    const header = d.querySelector('header.top');
    return {
      overflow: d.documentElement.scrollWidth - d.documentElement.clientWidth,
      font: w.getComputedStyle(d.body).fontFamily,
      header: header ? w.getComputedStyle(header).backgroundColor : '',
      brand: d.querySelector('header.top a.brand')?.getAttribute('href') ?? null,
    };
  });
  assert.ok(look.overflow <= 0, `${label}: no horizontal scrolling at 375 px (${look.overflow} px over)`);
  assert.match(look.font, /system-ui/, `${label}: the page's type, not the browser's serif`);
  assert.equal(look.header, 'rgb(15, 118, 110)', `${label}: the page's colour in its header`);
  assert.equal(look.brand, '/', `${label}: the header leads back to the page`);
}

function cspWatch(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  return violations;
}

before(async () => {
  smtp = await startSmtpSink();
  const dir = tempDir();
  server = await startServer({
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
    CRIER_ADMIN_TOKEN: token,
    CRIER_DEMO: 'false',
    CRIER_PAGE_NAME: 'Acme Cloud',
    CRIER_PAGE_COLOR: accent,
    CRIER_WORKER_POLL_MS: '100',
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

async function phone(): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  return { context, page, csp: cspWatch(page) };
}

test('a fresh install: the form offers what the install has, and says email is not available yet', async () => {
  const { context, page, csp } = await phone();
  try {
    await page.goto(`${server.url}/subscribe`);
    assert.equal(await page.title(), 'Subscribe to updates · Acme Cloud');
    assert.equal(await page.locator('input[name="email"]').count(), 0);
    assert.match(
      (await page.locator('main .note').first().textContent()) ?? '',
      /Updates by email or text messages are not available here yet\./,
    );
    await check(page, 'the subscribe form of a fresh install');
    assert.deepEqual(csp, []);
  } finally {
    await context.close();
  }
});

test('subscribe by email, open the link, press the button, choose components, unsubscribe', async () => {
  await admin('POST', '/api/v1/components', { name: 'Payments API' });
  await admin('POST', '/api/v1/components', { name: 'Dashboard' });
  await admin('PUT', '/api/v1/plan', {
    source: `version: 1
page: { name: Acme Cloud, url: ${server.url}, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.test] }
  comms_lead: { rota: [carol@acme.test] }
severities:
  SEV3: { external_cadence: 2h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
channels:
  email: { type: email-smtp, url: "smtp://127.0.0.1:${smtp.port}/?tls=false", from: status@acme.test }
`,
  });
  const { context, page, csp } = await phone();
  try {
    await page.goto(`${server.url}/subscribe`);
    const email = page.getByLabel('Email address');
    for (let i = 0; (await email.count()) === 0; i++) {
      // The plan's channels come into use as the page is asked again.
      assert.ok(i < 50, 'the email field appears once the plan offers email');
      await page.waitForTimeout(100);
      await page.reload();
    }
    assert.equal(
      await page.locator('main .note').textContent(),
      'Updates by text messages are not available here yet.',
      'email is no longer named as missing; SMS still is',
    );
    await check(page, 'the subscribe form with email');
    await email.fill('zoe@example.com');
    await page.getByLabel('Payments API').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('h1', { hasText: 'Check your inbox' }).waitFor();
    await check(page, 'the answer to the form');

    const deadline = Date.now() + 30_000;
    while (smtp.mails.length === 0) {
      assert.ok(Date.now() < deadline, 'the confirmation mail arrives');
      await page.waitForTimeout(100);
    }
    const link = /(https?:\/\/[^\s]+\/confirm\/[A-Za-z0-9_-]+)/.exec(smtp.mails[0]?.text ?? '')?.[1];
    assert.ok(link, smtp.mails[0]?.text);

    await page.goto(link);
    await check(page, 'the confirmation page');
    const pending = (await admin('GET', '/api/v1/subscribers?kind=email')) as { state: string }[];
    assert.deepEqual(
      pending.map((s) => s.state),
      ['pending'],
      'opening the link (as a mail scanner does) confirmed nothing',
    );
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.locator('h1', { hasText: 'Subscription confirmed' }).waitFor();
    await check(page, 'the confirmed page');
    const confirmed = (await admin('GET', '/api/v1/subscribers?kind=email')) as { state: string }[];
    assert.deepEqual(
      confirmed.map((s) => s.state),
      ['confirmed'],
    );

    await page.getByRole('link', { name: 'Choose components or unsubscribe' }).click();
    await page.locator('h1', { hasText: 'Manage your subscription' }).waitFor();
    await check(page, 'the manage page');
    assert.equal(await page.getByLabel('Payments API').isChecked(), true);
    await page.getByLabel('Dashboard').check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.locator('h1', { hasText: 'Choices saved' }).waitFor();
    await check(page, 'the saved page');
    await page.getByRole('link', { name: 'Back to your subscription' }).click();
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.locator('h1', { hasText: 'Unsubscribed' }).waitFor();
    await check(page, 'the unsubscribed page');

    const second = await context.newPage();
    await second.goto(link);
    assert.equal(
      await second.locator('h1').textContent(),
      'Link not valid',
      'once unsubscribed, the link is spent',
    );
    await second.close();
    assert.deepEqual(csp, []);
  } finally {
    await context.close();
  }
});

test('a second visit to a confirmation link says "already confirmed" and shows nothing else', async () => {
  const { context, page } = await phone();
  try {
    await page.goto(`${server.url}/subscribe`);
    await page.getByLabel('Email address').fill('max@example.com');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.locator('h1', { hasText: 'Check your inbox' }).waitFor();
    const deadline = Date.now() + 30_000;
    let link: string | undefined;
    while (!link) {
      assert.ok(Date.now() < deadline, "max's confirmation mail arrives");
      const mail = smtp.mails.find((m) => m.to.includes('max@example.com'));
      link = /(https?:\/\/[^\s]+\/confirm\/[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
      if (!link) await page.waitForTimeout(100);
    }
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.locator('h1', { hasText: 'Subscription confirmed' }).waitFor();

    await page.goto(link);
    assert.equal(
      await page.locator('h1').textContent(),
      'Already confirmed',
      `the second visit to ${link}: ${await page.locator('main').textContent()}`,
    );
    const text = (await page.locator('main').textContent()) ?? '';
    for (const hidden of ['max', 'example.com', 'Payments API', 'Dashboard', 'Unsubscribe']) {
      assert.ok(!text.includes(hidden), `the second visit does not show "${hidden}"`);
    }
    assert.equal(await page.locator('main a[href*="/unsubscribe/"], main form').count(), 0);
    await check(page, 'the already-confirmed page');
  } finally {
    await context.close();
  }
});
