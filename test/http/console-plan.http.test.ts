/**
 * The plan screen through HTTP, on both databases: the version in force and
 * where it came from, each version's changes (values and source only for
 * those who may apply a plan), and checking a pasted plan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = (cadence: string) => `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: UTC }
severities:
  SEV2: { external_cadence: ${cadence}, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
`;

for (const dialect of dialects) {
  test(`console plan: in force, versions with changes, check [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const get = async (cookie: string) =>
      (await inject({ method: 'GET', url: '/console/plan', headers: { cookie } })).body;
    try {
      const admin = await signedIn(t, 'ada@acme.test', 'admin');
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      assert.match(await get(lead), /No plan applied yet/);
      for (const cadence of ['30m', '45m']) {
        const res = await inject({
          method: 'PUT',
          url: '/api/v1/plan',
          headers: t.auth('admin'),
          payload: { source: plan(cadence) },
        });
        assert.equal(res.statusCode, 200, res.body);
      }

      const leadView = await get(lead);
      assert.match(leadView, /<dt>In force<\/dt><dd>version 2<\/dd>/);
      assert.match(leadView, /<dt>From<\/dt><dd>the API<\/dd>/);
      assert.match(leadView, /<code>severities\.SEV2\.external_cadence<\/code> changed<\/li>/);
      assert.doesNotMatch(leadView, /45m|Its source|Check a plan/);
      assert.equal((await inject(form(lead, '/console/plan/check', { source: plan('1h') }))).statusCode, 403);

      const adminView = await get(admin);
      assert.match(
        adminView,
        /<code>severities\.SEV2\.external_cadence<\/code> changed: <code>&quot;30m&quot;<\/code> → <code>&quot;45m&quot;<\/code>/,
      );
      assert.match(adminView, /Its source/);
      assert.match(adminView, /Warnings for the plan in force/);
      const bad = await inject(
        form(admin, '/console/plan/check', { source: `${plan('soon')}<b>oops</b>: [` }),
      );
      assert.equal(bad.statusCode, 200);
      assert.match(bad.body, /This plan has problems\./);
      assert.doesNotMatch(bad.body, /<b>oops/);
      const good = await inject(form(admin, '/console/plan/check', { source: plan('1h') }));
      assert.match(good.body, /This plan is valid\./);
      // Checking applies nothing.
      assert.match(await get(admin), /<dt>In force<\/dt><dd>version 2<\/dd>/);
    } finally {
      await t.close();
    }
  });
}
