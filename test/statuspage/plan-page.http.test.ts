import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestApp } from '../helpers/http.ts';
import { applyTestPlan, planSecrets } from '../helpers/plan.ts';

test("the plan's page section names the page and sets its time zone", async () => {
  const t = await startTestApp(
    { name: 'sqlite', url: 'sqlite::memory:' },
    { env: { ...planSecrets, CRIER_PAGE_NAME: 'From config', CRIER_PUBLIC_URL: 'https://config.example' } },
  );
  try {
    const before = (await t.app.server.inject({ url: '/api/v2/status.json' })).json();
    assert.equal(before.page.name, 'From config');
    await applyTestPlan(t.app.systemCtx);
    await t.app.statusPage.refresh();
    const after = (await t.app.server.inject({ url: '/api/v2/status.json' })).json();
    assert.deepEqual(
      { name: after.page.name, url: after.page.url, time_zone: after.page.time_zone },
      { name: 'Acme Cloud', url: 'https://status.acme.example', time_zone: 'Europe/Paris' },
    );
    assert.match((await t.app.server.inject({ url: '/' })).body, /<title>Acme Cloud status<\/title>/);
  } finally {
    await t.close();
  }
});
