/** What every console screen must pass in a real browser: axe in light and dark, 375 px, no CSP violation. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { root } from './process.ts';

const axeSource = readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

/** axe in light and dark (no serious or critical violation), and no horizontal scrolling at 375 px. */
export async function check(page: Page, label: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(axeSource);
    const result = await page.evaluate(async () => {
      const w = globalThis as unknown as {
        axe: { run(): Promise<{ violations: { id: string; impact: string; nodes: { html: string }[] }[] }> };
      };
      return w.axe.run();
    });
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(
      bad.map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .map((n) => n.html)
            .slice(0, 2)
            .join(' | ')}`,
      ),
      [],
      `axe on ${label}, ${scheme}`,
    );
  }
  await page.emulateMedia({ colorScheme: 'light' });
  const overflow = await page.evaluate(() => {
    const d = (
      globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }
    ).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
  assert.ok(overflow <= 0, `${label}: no horizontal scrolling at 375 px (${overflow} px over)`);
}

/** A phone-sized browser context that records Content-Security-Policy violations. */
export async function phone(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; csp: string[] }> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) csp.push(m.text());
  });
  return { context, page, csp };
}
