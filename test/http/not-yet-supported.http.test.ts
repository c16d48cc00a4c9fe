/**
 * Nothing accepted and ignored, through the API: a plan asking for what
 * Crier does not do yet is refused by `PUT /plan` and `POST /plan/check`
 * with "not supported yet" and changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';
import { planSecrets, sev1Plan, sev1PlanPath } from '../helpers/plan.ts';

const dialect = dialects[0] ?? { name: 'sqlite' as const, url: 'sqlite::memory:' };

test('PUT /plan and POST /plan/check refuse what is not supported yet, by name, and change nothing', async () => {
  const t = await startTestApp(dialect, { env: { CRIER_PLAN: sev1PlanPath, ...planSecrets } });
  try {
    const asking = sev1Plan
      .replace(
        'channels:\n  email:',
        'channels:\n  calls: { type: voice }\n  apps: { type: mobile-push }\n  email:',
      )
      .replace(
        '  internal: { channels: [slack-internal] }',
        '  internal: { channels: [slack-internal, feed] }',
      );
    for (const [method, url] of [
      ['PUT', '/api/v1/plan'],
      ['POST', '/api/v1/plan/check'],
    ] as const) {
      const res = await t.app.server.inject({
        method,
        url,
        headers: t.auth('admin'),
        payload: { source: asking },
      });
      const body = JSON.parse(res.body);
      const problems: { path: string; message: string }[] =
        method === 'PUT' ? body.error?.details?.problems : body.problems;
      if (method === 'PUT') {
        assert.equal(res.statusCode, 422);
        assert.equal(body.error.code, 'plan_invalid');
      } else assert.equal(body.ok, false);
      const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
      assert.match(
        byPath['audiences.internal.channels.1'] ?? '',
        /a status page or feed of its own .* is not supported yet/,
      );
      assert.match(byPath['channels.calls.type'] ?? '', /channel type "voice" is not supported yet/);
      assert.match(byPath['channels.apps.type'] ?? '', /channel type "mobile-push" is not supported yet/);
      // Each is named once, by what it asks for: no schema noise about the unknown channel types.
      assert.deepEqual(problems.map((p) => p.path).sort(), [
        'audiences.internal.channels.1',
        'channels.apps.type',
        'channels.calls.type',
      ]);
    }
    const current = JSON.parse(
      (await t.app.server.inject({ method: 'GET', url: '/api/v1/plan', headers: t.auth('admin') })).body,
    );
    assert.equal(current.version, 1, 'nothing was applied');

    // What asks for nothing is the truth, and is accepted (GET /plan shows it, so it may come back).
    const honest = sev1Plan.replace(
      '  internal: { channels: [slack-internal] }',
      '  internal: { channels: [slack-internal], private_page: false }',
    );
    const applied = await t.app.server.inject({
      method: 'PUT',
      url: '/api/v1/plan',
      headers: t.auth('admin'),
      payload: { source: `${honest}runbooks: []\n` },
    });
    assert.equal(applied.statusCode, 200, applied.body);
  } finally {
    await t.close();
  }
});
