/**
 * An applied plan is in force in this process when the apply answers: the
 * channels it adds can be subscribed to by the very next request. On
 * PostgreSQL the channels' reload waits on a database round trip, and an
 * import sent right after the apply used to see the channels of the plan
 * before it (every number refused, nothing imported).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const planPath = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
const before = fs.readFileSync(planPath, 'utf8');
const withVoice = before
  .replace(
    'public: { channels: [status-page, email, sms, webhook] }',
    'public: { channels: [status-page, email, sms, webhook, voice] }',
  )
  .replace(
    '  webhook: { type: webhook }',
    '  webhook: { type: webhook }\n  voice: { type: voice-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550199" }',
  );

for (const dialect of dialects) {
  test(`the channels a plan adds are offered as soon as its apply answers [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_PUBLIC_URL: 'https://status.crier.test' } });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const apply = (source: string) =>
        inject({ method: 'PUT', url: '/api/v1/plan', headers: t.auth('admin'), payload: { source } });
      assert.equal((await apply(before)).statusCode, 200);
      assert.equal(t.app.delivery.offeredFor('public').has('voice'), false);

      for (let round = 0; round < 3; round += 1) {
        const added = await apply(withVoice);
        assert.equal(added.statusCode, 200, added.body);
        // Read at once, in the same turn as the answer: no time for a late reload to land.
        assert.equal(t.app.delivery.offeredFor('public').has('voice'), true, `round ${round}: added`);
        const removed = await apply(before);
        assert.equal(removed.statusCode, 200, removed.body);
        assert.equal(t.app.delivery.offeredFor('public').has('voice'), false, `round ${round}: removed`);
      }

      const imported = await inject({
        method: 'POST',
        url: '/api/v1/subscribers/import',
        headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
        payload: 'voice\n+1 415 555 0100\n',
      });
      assert.equal(imported.statusCode, 200, imported.body);
      // The plan in force has no voice again: the number is refused, by line.
      assert.deepEqual(
        JSON.parse(imported.body).errors.map((e: { line: number }) => e.line),
        [2],
      );
    } finally {
      await t.close();
    }
  });
}
