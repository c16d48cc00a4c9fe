/**
 * The console's newer screens in a real browser (Debian's Chromium through
 * playwright-core) against a real `crier serve`: an admin applies an
 * earlier plan version again, invites a person the plan's rota names, sees
 * the declare and new-draft forms preview their words per channel as they
 * are filled in, reads an incident's review and the communication report,
 * and clears a suppressed contact. Every screen passes axe in light and
 * dark at 375 px, breaks no CSP rule, and shows user text as text.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { check, phone } from './helpers/console.ts';
import { type ConsoleServer, signIn, startConsoleServer } from './helpers/console-server.ts';

let crier: ConsoleServer;
let browser: Browser;

before(async () => {
  crier = await startConsoleServer('screens');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await crier?.stop();
});

const plan = (cadence: string) => `version: 1
page: { name: Acme Cloud, time_zone: UTC }
roles:
  comms_lead: { rota: [carol@acme.test] }
severities:
  SEV1: { external_cadence: ${cadence}, approval: comms_lead, audiences: [public] }
  SEV3: { external_cadence: 1h, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sms, webhook] }
channels:
  sms: { type: sms-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550100" }
  webhook: { type: webhook }
scenarios:
  payments-down:
    severity: SEV1
    impact: major
    customer_impact: Card payments fail for some customers.
    templates:
      investigating: |
        We are investigating failed card payments. {{ impact }}
        Next update by {{ next_update_at }}.
      resolved: Card payments work normally again for all customers.
`;

test('apply a version, invite from the rota, previews while declaring, review, report, suppressions', async () => {
  await crier.admin('PUT', '/api/v1/plan', { source: plan('30m') });
  await crier.admin('PUT', '/api/v1/plan', { source: plan('45m') });
  await crier.admin('POST', '/api/v1/components', { name: 'Payments API' });
  await crier.admin('POST', '/api/v1/users', {
    email: 'ada@acme.test',
    role: 'admin',
    name: 'Ada <b>Admin</b>',
    password: 'ada keeps the plan tidy',
  });
  const a = await phone(browser);
  try {
    await signIn(a.page, crier.url, 'ada@acme.test', 'ada keeps the plan tidy');

    // The plan: version 1 applied again, as version 3.
    await a.page.goto(`${crier.url}/console/plan`);
    await check(a.page, 'plan');
    await a.page
      .locator('li.card', { has: a.page.locator('h3', { hasText: 'Version 1' }) })
      .getByRole('button', { name: 'Apply this version' })
      .click();
    await a.page.getByText('Applied: it is the version in force now.').waitFor();
    assert.match((await a.page.locator('dl.facts').first().textContent()) ?? '', /version 3/);

    // People: Carol is in the comms lead rota, not a user; invited as a comms lead.
    await a.page.goto(`${crier.url}/console/users`);
    await check(a.page, 'people with a rota entry to invite');
    await a.page.getByRole('button', { name: 'Invite as comms lead' }).click();
    await a.page.getByText('carol@acme.test is invited as comms lead').waitFor();
    assert.match((await a.page.locator('#secret').textContent()) ?? '', /\/console\/invitation\/[\w-]+$/);
    await check(a.page, 'people, an invitation shown');

    // Declare: the scenario's words, previewed per channel before anything exists.
    await a.page.goto(`${crier.url}/console`);
    await a.page.getByText('Declare an incident').click();
    await a.page.getByLabel('What is wrong').fill('Payments <b>down</b>');
    await a.page.getByLabel('Scenario', { exact: true }).selectOption('payments-down');
    const preview = a.page.locator('#declare-preview');
    await preview
      .getByText('We are investigating failed card payments.', { exact: false })
      .first()
      .waitFor({ state: 'attached' });
    await preview.getByText('Lint finds nothing to change.').waitFor();
    await a.page.getByLabel('First words').fill('We are looking into <i>it</i>');
    await preview.getByText('does not say what customers experience', { exact: false }).waitFor();
    assert.equal(await preview.locator('i').count(), 0, 'typed markup stays text');
    await check(a.page, 'Now, declaring with a preview');
    assert.deepEqual(
      (await crier.admin('GET', '/api/v1/incidents')) as unknown as unknown[],
      [],
      'previewing declares nothing',
    );
    await a.page.getByLabel('First words').fill('');
    await a.page.getByRole('button', { name: 'Declare' }).click();
    await a.page.getByText('Incident declared.').waitFor();

    // The new-draft form previews the status's template the same way.
    await a.page.getByLabel('Status it announces').selectOption('resolved');
    await a.page
      .locator('#draft-preview')
      .getByText('Card payments work normally again for all customers.')
      .first()
      .waitFor({ state: 'attached' });
    await check(a.page, 'war room, a new draft previewed');
    const incidentPath = new URL(a.page.url()).pathname;

    // The review, the report and suppressions.
    await a.page.getByRole('link', { name: 'Communication review and feedback' }).click();
    await a.page.locator('h1', { hasText: 'Review: Payments <b>down</b>' }).waitFor();
    await a.page.getByText('No customer voted.').waitFor();
    await check(a.page, 'review');
    await a.page.goto(`${crier.url}/console/report`);
    await a.page.getByText('1 real incidents declared', { exact: false }).waitFor();
    await check(a.page, 'communication report');
    await a.page.getByRole('link', { name: incidentPath.split('/')[3] as string }).click();
    await a.page.locator('h1', { hasText: 'Review:' }).waitFor();

    await a.page.goto(`${crier.url}/console/suppressions`);
    await a.page.getByText('0 contacts').waitFor();
    await check(a.page, 'suppressions');
    assert.deepEqual(a.csp, [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
  }
});
