/**
 * The plan screen through HTTP, on both databases: the version in force and
 * where it came from, each version's changes (values and source only for
 * those who may apply a plan), checking a pasted plan, and applying one or
 * an earlier version again (refused with the check's findings when it fails).
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

const withRunbook = (component: string) => `${plan('30m')}scenarios:
  down:
    severity: SEV2
    templates:
      investigating: "We are looking into failed card payments. Next update by {{ next_update_at }}."
      resolved: Card payments work normally again for all customers.
runbooks:
  - name: down
    when: { source: alertmanager }
    do:
      - declare: { scenario: down, components: { ${component}: major_outage } }
`;

for (const dialect of dialects) {
  test(`console plan: apply a version again or a pasted plan, as the API does [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const api = async (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: object) => {
      const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
      assert.ok(res.statusCode < 300, res.body);
      return res.body === '' ? null : res.json();
    };
    const inForce = async () => ((await api('GET', '/api/v1/plan')) as { version: number }).version;
    try {
      const admin = await signedIn(t, 'ada@acme.test', 'admin');
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const component = ((await api('POST', '/api/v1/components', { name: 'Payments' })) as { id: string })
        .id;
      await api('PUT', '/api/v1/plan', { source: withRunbook(component) });
      await api('PUT', '/api/v1/plan', { source: plan('30m') });
      await api('PUT', '/api/v1/plan', { source: plan('45m') });
      assert.equal(await inForce(), 3);

      // Offered to those who may apply a plan, on every version but the one in force.
      const page = (await inject({ method: 'GET', url: '/console/plan', headers: { cookie: admin } })).body;
      assert.match(page, /action="\/console\/plan\/versions\/2\/apply"/);
      assert.doesNotMatch(page, /action="\/console\/plan\/versions\/3\/apply"/);
      const leadPage = (await inject({ method: 'GET', url: '/console/plan', headers: { cookie: lead } }))
        .body;
      assert.doesNotMatch(leadPage, /Apply this version|Apply it/);

      // Refused: another role, another site, a version that does not exist; nothing changes.
      const refusedLead = await inject(form(lead, '/console/plan/versions/2/apply'));
      assert.equal(refusedLead.statusCode, 403);
      const foreign = form(admin, '/console/plan/versions/2/apply');
      const csrf = await inject({
        ...foreign,
        headers: { ...foreign.headers, origin: 'https://evil.example' },
      });
      assert.equal(csrf.statusCode, 403);
      assert.equal((await inject(form(admin, '/console/plan/versions/99/apply'))).statusCode, 404);
      assert.equal((await inject(form(admin, '/console/plan/versions/x/apply'))).statusCode, 400);
      assert.equal(await inForce(), 3);

      // Version 2 again: a new version 4 with version 2's text, audited as the person, naming its source.
      const applied = await inject(form(admin, '/console/plan/versions/2/apply'));
      assert.equal(applied.statusCode, 303, applied.body);
      assert.equal(applied.headers.location, '/console/plan?done=applied');
      assert.equal(await inForce(), 4);
      const current = (await api('GET', '/api/v1/plan')) as { source: string; applied_by: string };
      assert.equal(current.source, plan('30m'));
      assert.equal(current.applied_by, 'user:ada@acme.test');
      const [entry] = (await api('GET', '/api/v1/audit?action=plan.apply')) as {
        actor: string;
        after: { version: number; note?: string };
      }[];
      assert.deepEqual(
        [entry?.actor, entry?.after.version, entry?.after.note],
        ['user:ada@acme.test', 4, 'the text of version 2'],
      );
      const again = await inject(form(admin, '/console/plan/versions/2/apply'));
      assert.equal(again.headers.location, '/console/plan?done=unchanged');
      assert.equal(await inForce(), 4);

      // Version 1 named a component since deleted: refused with the check's findings, nothing stored.
      await api('DELETE', `/api/v1/components/${component}`);
      const stale = await inject(form(admin, '/console/plan/versions/1/apply'));
      assert.equal(stale.statusCode, 422, stale.body);
      assert.match(stale.body, /Not applied: The plan has 1 problem/);
      assert.match(stale.body, new RegExp(`no component with id &quot;${component}&quot;`));
      assert.equal(await inForce(), 4);

      // A pasted plan: applied when it passes; refused with its problems (escaped) when not.
      const bad = await inject(
        form(admin, '/console/plan/apply', { source: `${plan('soon')}<b>x</b>: 1\n` }),
      );
      assert.equal(bad.statusCode, 422);
      assert.match(bad.body, /external_cadence/);
      assert.doesNotMatch(bad.body, /<b>x/);
      assert.equal(await inForce(), 4);
      const good = await inject(form(admin, '/console/plan/apply', { source: plan('1h') }));
      assert.equal(good.headers.location, '/console/plan?done=applied');
      assert.equal(await inForce(), 5);
      const shown = (
        await inject({ method: 'GET', url: '/console/plan?done=applied', headers: { cookie: admin } })
      ).body;
      assert.match(shown, /Applied: it is the version in force now\./);
    } finally {
      await t.close();
    }
  });
}
