/**
 * The console in a real browser (Debian's Chromium through playwright-core)
 * against a real `crier serve` and a real SMTP server. Ivy, the incident
 * lead, sets her password from her invitation, signs in, declares a SEV1
 * from a scenario, edits the draft (lint refuses a vague one; she fixes it)
 * and submits it; Carol, the comms lead, signs in in another browser
 * context and approves it; the public page shows the update, an email
 * subscriber receives it, and Ivy's open war room shows it delivered
 * without a reload. Every screen fits 375 px, passes axe in light and
 * dark, breaks no CSP rule, and shows user text as text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type SmtpSink, startSmtpSink } from '../test/helpers/smtp.ts';
import { launchChromium } from './helpers/browser.ts';
import { check, phone } from './helpers/console.ts';
import { type ConsoleServer, startConsoleServer } from './helpers/console-server.ts';

let crier: ConsoleServer;
let smtp: SmtpSink;
let browser: Browser;

const admin = (method: string, url: string, body?: object) => crier.admin(method, url, body);

before(async () => {
  smtp = await startSmtpSink();
  crier = await startConsoleServer('console');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await crier?.stop();
  await smtp?.close();
});

test('invitation → sign in → declare SEV1 → edit (lint) → submit; another person approves; page and email have it', async () => {
  await admin('POST', '/api/v1/components', { name: 'Payments API' });
  await admin('PUT', '/api/v1/plan', {
    source: `version: 1
page: { name: Acme Cloud, url: ${crier.url}, time_zone: UTC }
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
    customer_impact: Card payments fail for some customers.
    templates:
      investigating: |
        We are investigating failed card payments in {{ components }}. {{ impact }}
        Next update by {{ next_update_at }}.
      resolved: Card payments work normally again for all customers.
`,
  });
  await admin('POST', '/api/v1/subscribers', { email: 'zoe@example.com' });
  const ivy = await admin('POST', '/api/v1/users', {
    email: 'ivy@acme.test',
    role: 'incident_lead',
    name: 'Ivy',
  });
  await admin('POST', '/api/v1/users', {
    email: 'carol@acme.test',
    role: 'comms_lead',
    name: 'Carol',
    password: 'carol approves carefully',
  });

  const a = await phone(browser);
  const b = await phone(browser);
  try {
    // Ivy: her invitation, her password, then sign in.
    const invitation = new URL(String(ivy.invitation_url));
    await a.page.goto(`${crier.url}${invitation.pathname}`);
    await check(a.page, 'the invitation');
    await a.page.getByLabel('New password').fill('ivy leads incidents');
    await a.page.getByLabel('The same again').fill('ivy leads incidents');
    await a.page.getByRole('button', { name: 'Set password' }).click();
    await a.page.getByText('Your password is set').waitFor();
    await check(a.page, 'the sign-in page');
    await a.page.getByLabel('Password').fill('ivy leads incidents');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page.locator('h1', { hasText: 'Now' }).waitFor();
    await check(a.page, 'the Now screen');

    // Declare from the scenario; the name is shown as text, never as markup.
    const name = 'Payments <b>failing</b> & "slow"';
    await a.page.getByText('Declare an incident').click();
    await a.page.getByLabel('What is wrong').fill(name);
    await a.page.getByLabel('Scenario', { exact: true }).selectOption('payments-down');
    await a.page.getByLabel('Severity', { exact: true }).selectOption('SEV1');
    await a.page.getByLabel('Payments API').check();
    await a.page.getByLabel('Their status').selectOption('major_outage');
    await a.page.getByRole('button', { name: 'Declare' }).click();
    await a.page.getByText('Incident declared.').waitFor();
    assert.equal(await a.page.locator('h1').textContent(), name);
    assert.equal(await a.page.locator('main b').count(), 0, 'no markup from the name');
    // The scenario's draft waits for the comms lead; its preview shows the email channel.
    const card = a.page.locator('li.card[id^="u-"]').first();
    assert.match((await card.locator('h3').textContent()) ?? '', /pending approval/);
    await card.getByText('email', { exact: false }).first().waitFor();
    await check(a.page, 'the incident with its draft');

    // Ivy makes it vague: lint refuses to submit it and says why; she fixes it.
    await card.getByLabel('Message').fill('We are looking into it.');
    await card.getByRole('button', { name: 'Save' }).click();
    await a.page.getByText('Draft saved.').waitFor();
    const draft = a.page.locator('li.card[id^="u-"]').first();
    assert.ok((await draft.locator('text=Lint').count()) > 0, 'lint findings are shown with the draft');
    await draft.getByRole('button', { name: 'Submit' }).click();
    assert.equal(await a.page.locator('p.notice.error').count(), 1, 'submitting a vague draft is refused');
    const text =
      'Card payments fail for some customers in Payments API; we are restoring the payment service. ' +
      'Next update by 12:00 UTC.';
    await a.page.locator('li.card[id^="u-"]').first().getByLabel('Message').fill(text);
    await a.page.locator('li.card[id^="u-"]').first().getByRole('button', { name: 'Save' }).click();
    await a.page.getByText('Draft saved.').waitFor();
    await a.page.locator('li.card[id^="u-"]').first().getByRole('button', { name: 'Submit' }).click();
    await a.page.getByText('Submitted.').waitFor();
    assert.match(
      (await a.page.locator('li.card[id^="u-"] h3').first().textContent()) ?? '',
      /pending approval/,
    );
    // Ivy cannot approve: the button is not hers.
    assert.equal(await a.page.getByRole('button', { name: 'Approve' }).count(), 0);

    // Carol, in another browser: sign in, find it waiting, approve.
    await b.page.goto(`${crier.url}/console`);
    await b.page.getByLabel('Email').fill('carol@acme.test');
    await b.page.getByLabel('Password').fill('carol approves carefully');
    await b.page.getByRole('button', { name: 'Sign in' }).click();
    await b.page.getByRole('heading', { name: 'Waiting for approval' }).waitFor();
    await b.page.locator('ul.cards a', { hasText: 'Payments' }).last().click();
    await b.page.getByRole('button', { name: 'Approve' }).click();
    await b.page.getByText('Approved.').waitFor();
    assert.match((await b.page.locator('main').textContent()) ?? '', /Card payments fail for some customers/);
    await check(b.page, 'the incident after approval');

    // The public page and the subscriber's inbox.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const page = await (await fetch(`${crier.url}/`)).text();
      if (page.includes('we are restoring the payment service')) break;
      assert.ok(Date.now() < deadline, 'the update reaches the public page');
      await new Promise((r) => setTimeout(r, 100));
    }
    while (
      !smtp.mails.some((m) => m.to.includes('zoe@example.com') && m.text.includes('restoring the payment'))
    ) {
      assert.ok(Date.now() < deadline, 'the subscriber receives the update by email');
      await new Promise((r) => setTimeout(r, 100));
    }
    // Ivy's war room, open since she submitted, follows by itself: published, then delivered to 100%.
    await a.page
      .locator('main')
      .getByText(/Delivered 1 of 1 \(100%\)/)
      .waitFor({ timeout: 30_000 });
    assert.equal(
      await a.page.getByRole('button', { name: 'Copy', exact: true }).count(),
      1,
      'the script offers copy',
    );
    assert.match((await a.page.locator('.due').first().textContent()) ?? '', /^in \d+ min$/);
    const audit = (await (
      await fetch(`${crier.url}/api/v1/audit?action=incident_update.approve`, {
        headers: { authorization: `Bearer ${crier.token}` },
      })
    ).json()) as { actor: string }[];
    assert.ok(
      audit.some((e) => e.actor === 'user:carol@acme.test'),
      JSON.stringify(audit),
    );

    // Every other screen, from the header, as Carol (who may read contacts and the audit log).
    await admin('POST', '/api/v1/maintenances', {
      name: 'Database <upgrade>',
      scheduled_for: new Date(Date.now() + 3_600_000).toISOString(),
      scheduled_until: new Date(Date.now() + 7_200_000).toISOString(),
    });
    for (const [link, heading] of [
      ['Components', 'Components'],
      ['Maintenances', 'Maintenances'],
      ['Subscribers', 'Subscribers'],
      ['Plan', 'Plan'],
      ['Audit log', 'Audit log'],
    ] as const) {
      await b.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: link }).click();
      await b.page.locator('h1', { hasText: heading }).waitFor();
      await check(b.page, `the ${heading} screen`);
    }
    assert.match((await b.page.locator('main').textContent()) ?? '', /incident_update\.approve/);

    // Sign out: the console sends Ivy back to sign in.
    await a.page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await a.page.locator('h1', { hasText: 'Sign in' }).waitFor();
    await a.page.goto(`${crier.url}/console`);
    assert.match(a.page.url(), /\/console\/sign-in$/);

    // An admin's screens: people (an invitation shown once) and API tokens.
    await admin('POST', '/api/v1/users', {
      email: 'ada@acme.test',
      role: 'admin',
      password: 'ada administers all',
    });
    await a.page.getByLabel('Email').fill('ada@acme.test');
    await a.page.getByLabel('Password').fill('ada administers all');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'People' }).click();
    await a.page.getByText('Invite a person').click();
    await a.page.getByLabel('Email').fill('dan@acme.test');
    await a.page.getByRole('button', { name: 'Invite' }).click();
    await a.page.getByText('dan@acme.test is invited').waitFor();
    await check(a.page, 'the People screen with an invitation');
    await a.page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'API tokens' })
      .click();
    await a.page.locator('h1', { hasText: 'API tokens' }).waitFor();
    await check(a.page, 'the API tokens screen');
    await a.page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Plan' }).click();
    await a.page.getByLabel('Plan (YAML)').fill('version: 1\npage: [');
    await a.page.getByRole('button', { name: 'Check it' }).click();
    await a.page.getByText('This plan has problems.').waitFor();
    await check(a.page, 'the Plan screen with check results');
    assert.deepEqual([...a.csp, ...b.csp], [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
