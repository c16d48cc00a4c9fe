/**
 * Subscribers' phone numbers, checked against their country's numbering plan
 * and stored as E.164: international forms always, national ones in the
 * plan's `page.default_region`; invalid ones refused with a 400 that changes
 * nothing, by the public form, the admin API and the CSV import alike. The
 * sender number of a channel (Twilio's `from`) is not a subscriber's and
 * keeps its plain E.164 check: the fixture's `+15550100` stays valid there.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { parsePlan } from '../../src/plan/load.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

const planPath = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
const env = { CRIER_PLAN: planPath, CRIER_PUBLIC_URL: 'https://status.crier.test' };
const withRegion = fs
  .readFileSync(planPath, 'utf8')
  .replace('time_zone: UTC }', 'time_zone: UTC, default_region: US }');

const phones = async (t: TestApp) =>
  (await t.app.db.selectFrom('subscribers').select('contact').where('kind', '=', 'sms').execute())
    .map((r) => r.contact)
    .sort();

for (const dialect of dialects) {
  test(`phone numbers: E.164 stored, national forms read in the plan's region, invalid ones refused [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const add = (phone: string) =>
        inject({ method: 'POST', url: '/api/v1/subscribers', headers: t.auth('admin'), payload: { phone } });
      const publicForm = (phone: string) =>
        inject({
          method: 'POST',
          url: '/subscribe',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: new URLSearchParams({ phone }).toString(),
        });

      // Without a region: international forms only.
      const refused = await add('+15550100');
      assert.equal(refused.statusCode, 400, refused.body);
      const error = JSON.parse(refused.body).error;
      assert.equal(error.code, 'validation_failed');
      assert.match(JSON.stringify(error.details), /phone: is not a valid phone number/);
      const national = await add('(415) 555-0100');
      assert.equal(national.statusCode, 400, 'a national form needs the plan’s region');
      assert.match(JSON.stringify(JSON.parse(national.body).error.details), /\+ and the country code/);
      const spaced = await add('+1 415 555 0100');
      assert.equal(spaced.statusCode, 201, spaced.body);
      assert.equal(JSON.parse(spaced.body).phone_number, '+14155550100');
      assert.equal((await publicForm('+33 6 12 34 56 78')).statusCode, 200);
      assert.equal((await publicForm('06 12 34 56 78')).statusCode, 400);
      assert.deepEqual(await phones(t), ['+14155550100', '+33612345678']);

      // The plan names a region: national forms are read in it, and stored as E.164.
      const applied = await inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: withRegion },
      });
      assert.equal(applied.statusCode, 200, applied.body);
      const us = await add('(415) 555-0101');
      assert.equal(us.statusCode, 201, us.body);
      assert.equal(JSON.parse(us.body).phone_number, '+14155550101');
      assert.equal((await publicForm('415.555.0102')).statusCode, 200);
      const tooShort = await add('+15550100');
      assert.equal(tooShort.statusCode, 400, 'still not a number anywhere');
      assert.equal((await add('(415) 555-010')).statusCode, 400, 'a digit short');
      const again = await add('415-555-0100');
      assert.equal(again.statusCode, 409, 'the same number, written another way, is the same subscriber');

      const imported = await inject({
        method: 'POST',
        url: '/api/v1/subscribers/import',
        headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
        payload: 'phone\n(212) 555-0103\n+44 20 7946 0000\n555-0100\n',
      });
      assert.equal(imported.statusCode, 200, imported.body);
      const result = JSON.parse(imported.body);
      assert.equal(result.imported, 2);
      assert.deepEqual(
        result.errors.map((e: { line: number }) => e.line),
        [4],
      );
      assert.deepEqual(await phones(t), [
        '+12125550103',
        '+14155550100',
        '+14155550101',
        '+14155550102',
        '+33612345678',
        '+442079460000',
      ]);
    } finally {
      await t.close();
    }
  });
}

test('the plan refuses a region that has no numbering plan', () => {
  const bad = withRegion.replace('default_region: US', 'default_region: XX');
  assert.throws(() => parsePlan(bad, {}), /page\.default_region/);
});
