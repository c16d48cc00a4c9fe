/**
 * The comms lead writes and reviews each language's words side by side, in
 * a real browser (Debian's Chromium) against a real `crier serve`: a draft
 * shows one textarea per language of the plan, each with what lint found in
 * it (escaped), Arabic right to left; saving new French words lints them
 * again. The screen passes axe in light and dark at 375 px and breaks no CSP
 * rule.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium } from './helpers/browser.ts';
import { check, phone } from './helpers/console.ts';
import { type ConsoleServer, startConsoleServer } from './helpers/console-server.ts';

let crier: ConsoleServer;
let browser: Browser;

before(async () => {
  crier = await startConsoleServer('languages', { CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await crier?.stop();
});

const heavyFrench =
  "<b>L'indisponibilité</b> intermittente des infrastructures transactionnelles internationales occasionne l'impossibilité momentanée d'effectuer systématiquement les opérations monétiques authentifiées, conformément aux réglementations européennes applicables.";
const plainFrench =
  'Les paiements par carte échouent pour certains clients. Nous corrigeons. Prochain point à 14h30.';

test('each language side by side with its own findings, saved and linted again', async () => {
  await crier.admin('PUT', '/api/v1/plan', {
    source: `version: 1
page: { name: Acme Cloud, url: ${crier.url}, time_zone: UTC, languages: [fr, ar] }
severities:
  SEV2: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page, webhook] }
channels:
  webhook: { type: webhook }
`,
  });
  await crier.admin('POST', '/api/v1/users', {
    email: 'carol@acme.test',
    role: 'comms_lead',
    name: 'Carol',
    password: 'carol approves carefully',
  });
  const incident = await crier.admin('POST', '/api/v1/incidents', {
    name: 'Card payments fail',
    severity: 'SEV2',
    body: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  });
  const draft = await crier.admin('POST', `/api/v1/incidents/${String(incident.id)}/drafts`, {
    status: 'identified',
    audience: 'public',
    body: 'Card payments fail for some customers in Europe. We are fixing it. Next update by 14:30 UTC.',
    translations: {
      fr: { body: heavyFrench },
      ar: { body: 'تفشل المدفوعات بالبطاقة لبعض العملاء. نعمل على الإصلاح. التحديث التالي 14:30.' },
    },
  });

  const a = await phone(browser);
  try {
    await a.page.goto(`${crier.url}/console`);
    await a.page.getByLabel('Email').fill('carol@acme.test');
    await a.page.getByLabel('Password').fill('carol approves carefully');
    await a.page.getByRole('button', { name: 'Sign in' }).click();
    await a.page.locator('h1', { hasText: 'Now' }).waitFor();
    await a.page.goto(`${crier.url}/console/incidents/${String(incident.id)}`);
    const card = a.page.locator(`#u-${String(draft.id)}`);
    const english = card.getByLabel('Message in English');
    const french = card.getByLabel('Message in French');
    const arabic = card.getByLabel('Message in Arabic');
    assert.equal(await french.inputValue(), heavyFrench, 'the typed markup is the textarea’s text');
    assert.equal(await card.locator('b').count(), 0, 'and never markup');
    assert.equal(await arabic.getAttribute('dir'), 'rtl');
    assert.equal(await arabic.getAttribute('lang'), 'ar');
    const frenchLint = card.locator(`#translation-${String(draft.id)}-fr-lint`);
    assert.match(
      (await frenchLint.textContent()) ?? '',
      /French: The French reading ease is .* \(Kandel–Moles\)/,
    );
    assert.match(
      (await card.locator(`#translation-${String(draft.id)}-ar-lint`).textContent()) ?? '',
      /Lint finds nothing\./,
    );
    assert.equal(await french.getAttribute('aria-describedby'), `translation-${String(draft.id)}-fr-lint`);

    // Side by side where there is room; one under the other on a phone.
    await a.page.setViewportSize({ width: 1280, height: 900 });
    const [e, f, r] = await Promise.all([english.boundingBox(), french.boundingBox(), arabic.boundingBox()]);
    assert.ok(e && f && r);
    assert.ok(
      Math.abs(e.y - f.y) < 40 && f.x > e.x && r.x > f.x,
      `side by side: ${JSON.stringify([e, f, r])}`,
    );
    await a.page.setViewportSize({ width: 375, height: 800 });
    await check(a.page, 'a draft in three languages');

    // New French words, saved: lint reads them again and finds nothing.
    await french.fill(plainFrench);
    await card.getByRole('button', { name: 'Save' }).click();
    await a.page.getByText('Draft saved.').waitFor();
    const again = a.page.locator(`#u-${String(draft.id)}`);
    assert.equal(await again.getByLabel('Message in French').inputValue(), plainFrench);
    assert.match(
      (await again.locator(`#translation-${String(draft.id)}-fr-lint`).textContent()) ?? '',
      /Lint finds nothing\./,
    );
    assert.deepEqual(a.csp, [], 'no Content-Security-Policy violation');
  } finally {
    await a.context.close();
  }
});
