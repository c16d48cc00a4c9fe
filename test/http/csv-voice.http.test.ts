/**
 * The subscribers CSV's `voice` column: numbers to call, checked with the
 * phone library like `phone` and stored as E.164 (a national form read in
 * the plan's region), bad ones reported by line and nothing stored for
 * them; a row with both `phone` and `voice` makes two subscriptions; double
 * opt-in needs text messages to confirm a number to call; the export has
 * the column too.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const planPath = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
const plan = fs
  .readFileSync(planPath, 'utf8')
  .replace('time_zone: UTC }', 'time_zone: UTC, default_region: US }')
  .replace('public: { channels: [status-page, email, sms, webhook] }', (line) =>
    line.replace('webhook]', 'webhook, voice]').concat('\n  oncall: { channels: [voice] }'),
  )
  .replace(
    '  webhook: { type: webhook }',
    '  webhook: { type: webhook }\n  voice: { type: voice-twilio, account: AC00000000000000000000000000000001, token: twilio-test-token, from: "+15550199" }',
  );

for (const dialect of dialects) {
  test(`a voice column imports numbers to call, checked and stored as E.164 [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env: { CRIER_PUBLIC_URL: 'https://status.crier.test' } });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const applied = await inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: plan },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      const upload = (csv: string, query = '') =>
        inject({
          method: 'POST',
          url: `/api/v1/subscribers/import${query}`,
          headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
          payload: csv,
        });
      const stored = async () =>
        (await t.app.db.selectFrom('subscribers').select(['kind', 'contact', 'audience', 'state']).execute())
          .map((r) => `${r.audience} ${r.kind} ${r.contact} ${r.state}`)
          .sort();

      const imported = await upload(
        'voice,phone,locale\n' +
          '(415) 555-0100,,en\n' +
          '+33 6 12 34 56 78,+33 6 12 34 56 78,\n' +
          '<b>12</b>,,\n' +
          '555-0100,,\n',
      );
      assert.equal(imported.statusCode, 200, imported.body);
      const result = JSON.parse(imported.body);
      assert.deepEqual([result.rows, result.imported, result.invalid], [4, 3, 2]);
      assert.deepEqual(
        result.errors.map((e: { line: number }) => e.line),
        [4, 5],
      );
      for (const e of result.errors) assert.match(e.message, /^voice: is not a valid phone number/);
      assert.doesNotMatch(imported.body, /<b>/);
      assert.deepEqual(await stored(), [
        'public sms +33612345678 confirmed',
        'public voice +14155550100 confirmed',
        'public voice +33612345678 confirmed',
      ]);

      // Asked to confirm, a number to call needs text messages to carry the link.
      const oncall = await upload('voice\n+1 415 555 0111\n', '?audience=oncall&confirm=true');
      assert.equal(oncall.statusCode, 200, oncall.body);
      const refused = JSON.parse(oncall.body);
      assert.deepEqual([refused.imported, refused.invalid], [0, 1]);
      assert.match(refused.errors[0].message, /confirmed by a text message/);
      const pending = await upload('voice\n+1 415 555 0112\n', '?confirm=true');
      assert.equal(JSON.parse(pending.body).imported, 1, pending.body);
      assert.ok((await stored()).includes('public voice +14155550112 pending'));

      const exported = await inject({
        method: 'GET',
        url: '/api/v1/subscribers/export',
        headers: t.auth('admin'),
      });
      assert.equal(exported.statusCode, 200);
      const [header, ...lines] = exported.body.trim().split('\n');
      const columns = header?.split(',') ?? [];
      assert.ok(columns.includes('voice'));
      const voiceAt = columns.indexOf('voice');
      const kindAt = columns.indexOf('kind');
      const called = lines.map((l) => l.split(',')).filter((cells) => cells[kindAt] === 'voice');
      assert.deepEqual(called.map((cells) => cells[voiceAt]?.replace(/^'/, '')).sort(), [
        '+14155550100',
        '+14155550112',
        '+33612345678',
      ]);
    } finally {
      await t.close();
    }
  });
}
