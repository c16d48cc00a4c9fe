/**
 * The console with the keyboard alone, in real Chromium against a real
 * `crier serve` and a real SMTP server: Ivy declares a SEV1 from the Now
 * screen and its scenario's draft goes for approval in at most six
 * interactions (counted: a press that opens, chooses, ticks or submits;
 * Tab and typed words are not); Carol approves it, which publishes it.
 * Then what goes wrong: Ivy's session ends while her page is open (it says
 * so, never blank); a page on another origin cannot make Carol's browser
 * act; Ivy sets a new password from an emailed link; and with the server
 * gone, the open console says it cannot reach it.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { type SmtpSink, startSmtpSink } from '../test/helpers/smtp.ts';
import { launchChromium } from './helpers/browser.ts';
import { check, phone } from './helpers/console.ts';
import { type Server, startServer, tempDir } from './helpers/process.ts';

const token = 'e2e-console-keyboard-token-0123456789';
let server: Server;
let stopped = false;
let smtp: SmtpSink;
let browser: Browser;
let dbFile: string;

async function admin(method: string, url: string, body?: object): Promise<Record<string, unknown>> {
  const res = await fetch(server.url + url, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body && { body: JSON.stringify(body) }),
  });
  assert.ok(res.ok, `${method} ${url}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as Record<string, unknown>;
}

/** Presses Tab until the focused element is a `tag` whose label (or text) starts with `name`. */
async function tabTo(page: Page, tag: string, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(
      ([t, n]) => {
        const el = (globalThis as unknown as { document: { activeElement: HTMLElementLike | null } }).document
          .activeElement;
        if (!el || el.tagName !== t) return false;
        const label = el.labels?.[0]?.textContent ?? el.textContent ?? '';
        return label.trim().startsWith(n as string);
      },
      [tag, name],
    );
    if (here) return;
  }
  assert.fail(`no ${tag} "${name}" within 200 presses of Tab`);
}

interface HTMLElementLike {
  tagName: string;
  textContent: string | null;
  labels?: { textContent: string | null }[] | null;
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${server.url}/console/sign-in`);
  await tabTo(page, 'INPUT', 'Email');
  await page.keyboard.type(email);
  await tabTo(page, 'INPUT', 'Password');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.locator('h1', { hasText: 'Now' }).waitFor();
}

before(async () => {
  smtp = await startSmtpSink();
  const dir = tempDir('crier-console-keys-');
  dbFile = path.join(dir, 'crier.db');
  server = await startServer(
    {
      CRIER_DATABASE_URL: `sqlite:${dbFile}`,
      CRIER_PLAN: path.join(dir, 'crier.yaml'),
      CRIER_ADMIN_TOKEN: token,
      CRIER_DEMO: 'false',
      CRIER_WORKER_POLL_MS: '100',
    },
    ['serve'],
    'PORT',
    { publicUrlIsServer: true },
  );
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  if (!stopped) await server?.stop();
  await smtp?.close();
});

test('keyboard only: declare in at most six interactions, approve; session end, CSRF, password link, server gone', async () => {
  await admin('POST', '/api/v1/components', { name: 'Payments API' });
  await admin('PUT', '/api/v1/plan', {
    source: `version: 1
page: { name: Acme Cloud, url: ${server.url}, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.test] }
  comms_lead: { rota: [carol@acme.test] }
severities:
  SEV1: { external_cadence: 30m, approval: comms_lead, audiences: [public] }
audiences:
  public: { channels: [status-page, email] }
channels:
  email: { type: email-smtp, url: "smtp://127.0.0.1:${smtp.port}/?tls=false", from: status@acme.test }
scenarios:
  payments-down:
    severity: SEV1
    impact: major
    templates:
      investigating: |
        Card payments fail for some customers in {{ components }}; we are restoring the payment service.
        Next update by {{ next_update_at }}.
      resolved: Card payments work normally again for all customers.
`,
  });
  for (const [email, role, password] of [
    ['ivy@acme.test', 'incident_lead', 'ivy leads incidents'],
    ['carol@acme.test', 'comms_lead', 'carol approves carefully'],
  ] as const) {
    await admin('POST', '/api/v1/users', { email, role, password });
  }
  const a = await phone(browser);
  const b = await phone(browser);
  try {
    // Ivy, from the Now screen: every counted press is one interaction.
    await signIn(a.page, 'ivy@acme.test', 'ivy leads incidents');
    let interactions = 0;
    const press = async (key: string) => {
      interactions++;
      await a.page.keyboard.press(key);
    };
    await tabTo(a.page, 'SUMMARY', 'Declare an incident');
    await press('Enter');
    await tabTo(a.page, 'INPUT', 'What is wrong');
    await a.page.keyboard.type('Card payments fail');
    await tabTo(a.page, 'SELECT', 'Scenario');
    await press('ArrowDown');
    assert.equal(await a.page.getByLabel('Scenario', { exact: true }).inputValue(), 'payments-down');
    await tabTo(a.page, 'INPUT', 'Payments API');
    await press('Space');
    await tabTo(a.page, 'SELECT', 'Their status');
    await press('ArrowDown');
    assert.equal(await a.page.getByLabel('Their status').inputValue(), 'major_outage');
    await tabTo(a.page, 'BUTTON', 'Declare');
    await press('Enter');
    await a.page.getByText('Incident declared.').waitFor();
    assert.match(
      (await a.page.locator('li.card[id^="u-"] h3').first().textContent()) ?? '',
      /pending approval/,
    );
    assert.ok(interactions <= 6, `Now → a submitted draft took ${interactions} interactions`);
    process.stdout.write(`# Now → submitted draft: ${interactions} interactions\n`);

    // Carol, with the keyboard too: sign in, the waiting draft, Approve (which publishes it).
    await signIn(b.page, 'carol@acme.test', 'carol approves carefully');
    await tabTo(b.page, 'A', 'Card payments fail');
    await b.page.keyboard.press('Enter');
    await b.page.locator('h1', { hasText: 'Card payments fail' }).waitFor();
    await tabTo(b.page, 'BUTTON', 'Approve');
    await b.page.keyboard.press('Enter');
    await b.page.getByText('Approved.').waitFor();
    const deadline = Date.now() + 30_000;
    while (!(await (await fetch(`${server.url}/`)).text()).includes('we are restoring the payment service')) {
      assert.ok(Date.now() < deadline, 'the approved update is published on the page');
      await new Promise((r) => setTimeout(r, 100));
    }

    // Ivy's session ends while her page is open: the next change says so instead of going blank.
    const db = new Database(dbFile);
    db.prepare(
      "update sessions set expires_at = '2000-01-01T00:00:00.000Z' where user_id = (select id from users where email = ?)",
    ).run('ivy@acme.test');
    db.close();
    await admin('POST', '/api/v1/components', { name: 'Search' });
    await a.page.getByText('Your session has ended.').waitFor({ timeout: 15_000 });
    assert.match((await a.page.locator('main h1').textContent()) ?? '', /Card payments fail/);
    await tabTo(a.page, 'BUTTON', 'Sign in again');
    await a.page.keyboard.press('Enter');
    await a.page.getByText('Your session has ended (signed out, or unused too long)').waitFor();

    // A page on another origin posts a form into Carol's signed-in browser: refused, nothing declared.
    const evil = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Win a prize</title><form method="post" action="${server.url}/console/incidents">
<input type="hidden" name="name" value="Forged incident"><button>Claim</button></form>`);
    });
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
    try {
      await b.page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      await b.page.getByRole('button', { name: 'Claim' }).click();
      await b.page.getByText('must come from Crier’s own pages').waitFor();
      const open = (await (
        await fetch(`${server.url}/api/v1/incidents`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { name: string }[];
      assert.deepEqual(
        open.map((i) => i.name),
        ['Card payments fail'],
      );
    } finally {
      evil.close();
    }

    // A new password by email: the link arrives through the real SMTP server and works once.
    await tabTo(a.page, 'A', 'Forgot your password?');
    await a.page.keyboard.press('Enter');
    await a.page.locator('h1', { hasText: 'Set a new password' }).waitFor();
    await check(a.page, 'the password link form');
    await tabTo(a.page, 'INPUT', 'Email');
    await a.page.keyboard.type('ivy@acme.test');
    await a.page.keyboard.press('Enter');
    await a.page.locator('h1', { hasText: 'Check your email' }).waitFor();
    while (
      !smtp.mails.some((m) => m.to.includes('ivy@acme.test') && m.text.includes('/console/invitation/'))
    ) {
      assert.ok(Date.now() < deadline + 30_000, 'the password link arrives by email');
      await new Promise((r) => setTimeout(r, 100));
    }
    const mail = smtp.mails.find((m) => m.to.includes('ivy@acme.test')) as { text: string };
    const link = /http:\/\/127\.0\.0\.1:\d+\/console\/invitation\/[\w-]+/.exec(mail.text)?.[0] as string;
    await a.page.goto(link);
    await a.page.getByLabel('New password').fill('ivy has a new password');
    await a.page.getByLabel('The same again').fill('ivy has a new password');
    await a.page.getByRole('button', { name: 'Set password' }).click();
    await a.page.getByText('Your password is set').waitFor();
    await a.page.getByLabel('Password').fill('ivy has a new password');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page.locator('h1', { hasText: 'Now' }).waitFor();
    assert.equal((await fetch(link)).status, 404, 'the link works once');

    // The server goes away: the open console says it cannot reach it, and keeps what it showed.
    await b.page.goto(`${server.url}/console`);
    await b.page.locator('h1', { hasText: 'Now' }).waitFor();
    stopped = true;
    await server.stop();
    await b.page.getByText('Crier cannot be reached').waitFor({ timeout: 20_000 });
    assert.match((await b.page.locator('main').textContent()) ?? '', /Card payments fail/);
    assert.deepEqual([...a.csp, ...b.csp], [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
