/**
 * The war room in a real browser (Debian's Chromium) against a real `crier
 * serve`: the composer previews the words as they are typed, on every
 * channel, with lint's findings and their reasons, without saving them.
 * Delivery progress per channel follows by itself, a failure is listed
 * with its recipient masked, the provider's error and the attempts, and is
 * replayed on its own. Component groups are added and assigned on the
 * components screen. Each screen passes axe in light and dark at 375 px
 * and breaks no CSP rule.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { type Receiver, startReceiver } from '../test/helpers/receiver.ts';
import { launchChromium } from './helpers/browser.ts';
import { check, phone } from './helpers/console.ts';
import { type ConsoleServer, startConsoleServer } from './helpers/console-server.ts';

let crier: ConsoleServer;
let browser: Browser;
let receiver: Receiver;
let refuse = true;

const admin = (method: string, url: string, body?: object) => crier.admin(method, url, body);

before(async () => {
  receiver = await startReceiver(() =>
    refuse ? { status: 400, body: 'no such hook' } : { status: 200, body: 'ok' },
  );
  crier = await startConsoleServer('war-room', { CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await crier?.stop();
  await receiver?.close();
});

test('the composer previews typed words per channel with lint, live, nothing saved', async () => {
  await admin('PUT', '/api/v1/plan', {
    source: `version: 1
page: { name: Acme Cloud, url: ${crier.url}, time_zone: UTC }
severities:
  SEV1: { external_cadence: 30m, approval: comms_lead, audiences: [public] }
  SEV2: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, sms, webhook] }
channels:
  sms: { type: sms-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550100" }
  webhook: { type: webhook }
`,
  });
  await admin('POST', '/api/v1/users', {
    email: 'carol@acme.test',
    role: 'comms_lead',
    name: 'Carol',
    password: 'carol approves carefully',
  });
  const incident = await admin('POST', '/api/v1/incidents', {
    name: 'Card payments fail',
    severity: 'SEV1',
    body: 'Card payments fail for some customers; we are restoring the service. Next update by {{ next_update_at }}.',
  });
  const [draft] = incident.incident_updates as { id: string; body: string }[];
  assert.ok(draft);

  const a = await phone(browser);
  try {
    await a.page.goto(`${crier.url}/console`);
    await a.page.getByLabel('Email').fill('carol@acme.test');
    await a.page.getByLabel('Password').fill('carol approves carefully');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page.locator('h1', { hasText: 'Now' }).waitFor();
    await a.page.goto(`${crier.url}/console/incidents/${String(incident.id)}`);
    const card = a.page.locator(`#u-${draft.id}`);
    const preview = card.locator('section.composer');
    await preview.getByText('Lint finds nothing to change.').waitFor();

    // Typing vague words with markup: lint's reasons and every channel follow, the markup as text.
    await card.getByLabel('Message').fill('We are looking into <b>it</b>');
    await preview.getByText('The message does not say what customers experience', { exact: false }).waitFor();
    assert.equal(await preview.locator('b').count(), 0, 'typed markup stays text');
    assert.match((await preview.textContent()) ?? '', /1 of 3 segments \(29 characters, GSM-7\)/);
    await card.getByLabel('Message').pressSequentially(' 🙁');
    await preview.getByText(/1 of 3 segments \(31 characters, UCS-2\)/).waitFor({ state: 'attached' });
    await preview.getByText('webhook').click();
    assert.match(
      (await preview.locator('pre').last().textContent()) ?? '',
      /"body": "We are looking into <b>it<\/b> 🙁"/,
      "the webhook's JSON carries the typed words",
    );
    await check(a.page, 'the war room while typing');

    // Nothing was saved by previewing.
    const stored = (await admin('GET', `/api/v1/incidents/${String(incident.id)}`)).incident_updates as {
      body: string;
    }[];
    assert.equal(stored[0]?.body, draft.body);
    assert.deepEqual(a.csp, [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
  }
});

test('delivery progress per channel, a failure masked with its error and attempts, replayed on its own', async () => {
  await admin('POST', '/api/v1/subscribers', { webhook: `${receiver.url}/hook` });
  const incident = await admin('POST', '/api/v1/incidents', {
    name: 'Search is slow',
    severity: 'SEV2',
    body: 'Search is slow for some customers; we are adding capacity. Next update by {{ next_update_at }}.',
  });
  const a = await phone(browser);
  try {
    await a.page.goto(`${crier.url}/console`);
    await a.page.getByLabel('Email').fill('carol@acme.test');
    await a.page.getByLabel('Password').fill('carol approves carefully');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page.locator('h1', { hasText: 'Now' }).waitFor();
    await a.page.goto(`${crier.url}/console/incidents/${String(incident.id)}`);
    // The refused webhook gives up; the open page shows it by itself.
    const failure = a.page.locator('ul.failures li');
    await failure.waitFor({ timeout: 30_000 });
    const said = (await failure.textContent()) ?? '';
    assert.match(said, new RegExp(`^${new URL(receiver.url).host} \\(webhook\\): gave up after 1 attempt`));
    assert.match(said, /400/);
    assert.doesNotMatch(said, /\/hook/, 'the recipient is masked');
    assert.equal(await a.page.getByRole('progressbar', { name: 'webhook: 0 of 1 delivered' }).count(), 1);
    await check(a.page, 'the war room with a failed delivery');

    refuse = false;
    await failure.getByRole('button', { name: 'Replay this one' }).click();
    await a.page.getByText('The delivery is queued again.').waitFor();
    await a.page
      .locator('main')
      .getByText(/Delivered 1 of 1 \(100%\)/)
      .waitFor({ timeout: 30_000 });
    await a.page.getByRole('progressbar', { name: 'webhook: 1 of 1 delivered' }).waitFor();
    assert.equal(await a.page.locator('ul.failures').count(), 0);
    assert.deepEqual(a.csp, [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
  }
});

test('component groups: added, a component put in one, at 375 px in light and dark', async () => {
  await admin('POST', '/api/v1/components', { name: 'Payments API' });
  const a = await phone(browser);
  try {
    await a.page.goto(`${crier.url}/console`);
    await a.page.getByLabel('Email').fill('carol@acme.test');
    await a.page.getByLabel('Password').fill('carol approves carefully');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Components' })
      .click();
    await a.page.getByText('Add a group').click();
    await a.page.getByLabel('Group name').fill('Money <movers>');
    await a.page.getByRole('button', { name: 'Add group' }).click();
    await a.page.getByText('Group added.').waitFor();
    await a.page
      .locator('li.card', { hasText: 'Payments API' })
      .getByLabel('Group')
      .selectOption({ label: 'Money <movers>' });
    await a.page
      .locator('li.card', { hasText: 'Payments API' })
      .getByRole('button', { name: 'Change group' })
      .click();
    await a.page.getByText('In Money <movers> · operational').waitFor();
    await check(a.page, 'the components screen with a group');
    assert.deepEqual(a.csp, [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
  }
});

test('subscribers: a CSV imported with its progress, then counted', async () => {
  const a = await phone(browser);
  try {
    await a.page.goto(`${crier.url}/console`);
    await a.page.getByLabel('Email').fill('carol@acme.test');
    await a.page.getByLabel('Password').fill('carol approves carefully');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page
      .getByRole('navigation', { name: 'Console' })
      .getByRole('link', { name: 'Subscribers' })
      .click();
    await a.page.getByText('Import subscribers from CSV').click();
    await a.page.getByLabel('CSV file').setInputFiles({
      name: 'people.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('phone\n+14155550101\n+14155550102\nnot a number\n'),
    });
    await a.page.getByRole('button', { name: 'Import', exact: true }).click();
    await a.page
      .getByText('Imported 2 of 3 rows: 0 already subscribed, 1 refused.')
      .waitFor({ timeout: 30_000 });
    await a.page.getByText(/^Line 4: /).waitFor();
    // The counts follow (live), and the answer stays.
    await a.page.locator('main').getByText('+14155550101').waitFor({ timeout: 30_000 });
    await a.page.getByText('Imported 2 of 3 rows').waitFor();
    await check(a.page, 'the subscribers screen after an import');
    assert.deepEqual(a.csp, [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
  }
});
