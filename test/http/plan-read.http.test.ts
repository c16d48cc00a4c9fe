import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { planSecrets, sev1PlanPath } from '../helpers/plan.ts';

test('only those who may apply a plan read its channel settings and source; others see names and types', async () => {
  const t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    env: { CRIER_PLAN: sev1PlanPath, ...planSecrets },
  });
  try {
    const asViewer = await t.app.server.inject({ url: '/api/v1/plan', headers: t.auth('viewer') });
    assert.equal(asViewer.statusCode, 200);
    const viewer = JSON.parse(asViewer.body) as {
      source?: string;
      plan: { channels: Record<string, unknown>; severities: object };
    };
    assert.equal(viewer.source, undefined);
    assert.deepEqual(viewer.plan.channels.sms, { type: 'sms-twilio' });
    assert.ok(!asViewer.body.includes('AC1'), 'a literal account id is not shown');
    assert.ok(viewer.plan.severities, 'the rest of the plan is readable');
    const versions = await t.app.server.inject({ url: '/api/v1/plan/versions', headers: t.auth('viewer') });
    assert.equal(versions.statusCode, 200);
    assert.ok(!versions.body.includes('AC1'), 'nor in the list of versions');

    const asAdmin = JSON.parse(
      (await t.app.server.inject({ url: '/api/v1/plan', headers: t.auth('admin') })).body,
    ) as {
      source: string;
      plan: { channels: { sms: { account: string } } };
    };
    assert.match(asAdmin.source, /sms-twilio/);
    assert.equal(asAdmin.plan.channels.sms.account, 'AC1');
  } finally {
    await t.close();
  }
});
