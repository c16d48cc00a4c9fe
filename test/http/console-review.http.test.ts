/**
 * The console's read-only screens over the review's data, through HTTP on
 * both databases: an incident's communication review with its scores,
 * messages and feedback from customers and the team; the communication
 * report; suppressed contacts, cleared by an admin only. Every word people
 * wrote is escaped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordProviderReport } from '../../src/services/suppressions/suppressions.ts';
import { form, signedIn } from '../helpers/console.ts';
import { dialects, testCtx } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = `version: 1
page: { name: Acme, url: https://status.acme.example, time_zone: UTC }
severities:
  SEV2: { first_external_within: 15m, external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
`;

const hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>';

for (const dialect of dialects) {
  test(`console review, report and suppressions: read-only views, escaped; clearing for admins [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const api = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) => {
      const res = await inject({ method, url, headers: t.auth('admin'), ...(payload && { payload }) });
      assert.ok(res.statusCode < 300, `${method} ${url}: ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    const get = (cookie: string, url: string) => inject({ method: 'GET', url, headers: { cookie } });
    try {
      await api('PUT', '/api/v1/plan', { source: plan });
      const admin = await signedIn(t, 'ada@acme.test', 'admin');
      const support = await signedIn(t, 'sue@acme.test', 'support_lead');
      const viewer = await signedIn(t, 'val@acme.test', 'viewer');
      const incident = await api('POST', '/api/v1/incidents', {
        name: 'Logins <b>slow</b>',
        severity: 'SEV2',
        body: 'Logins take longer than usual for some customers. Next update by {{ next_update_at }}.',
      });
      const id = incident.id as string;
      const [update] = incident.incident_updates as { id: string; state: string }[];
      assert.equal(update?.state, 'published');
      const voted = await inject({
        method: 'POST',
        url: `/feedback/${update.id}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ helpful: 'no', comment: hostile }).toString(),
      });
      assert.equal(voted.statusCode, 200, voted.body);
      const rated = await inject({
        method: 'POST',
        url: `/api/v1/incidents/${id}/feedback`,
        headers: t.auth('support_lead'),
        payload: { rating: 4, comment: 'Clear <i>enough</i>', support_tickets: 3 },
      });
      assert.equal(rated.statusCode, 201, rated.body);

      // The review: linked from the war room, for anyone who may read.
      const war = (await get(viewer, `/console/incidents/${id}`)).body;
      assert.match(war, new RegExp(`href="/console/incidents/${id}/review"`));
      const review = await get(viewer, `/console/incidents/${id}/review`);
      assert.equal(review.statusCode, 200, review.body);
      assert.match(review.body, /<h1>Review: Logins &lt;b&gt;slow&lt;\/b&gt;<\/h1>/);
      assert.match(review.body, /<caption>Scores against the plan<\/caption>/);
      assert.match(review.body, /<th scope="row">detection → first external<\/th>|first external<\/th>/);
      assert.match(review.body, /Logins take longer than usual for some customers\./);
      assert.match(review.body, /0 of 1 votes said the updates helped\./);
      assert.ok(
        review.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x'),
      );
      assert.doesNotMatch(review.body, /<script>alert|<img src=x|<i>enough/);
      assert.match(
        review.body,
        /The team rated the communication 4\.0 of 5 \(1 ratings\)\. Support tickets about the incident: 3\./,
      );
      assert.match(review.body, /Clear &lt;i&gt;enough&lt;\/i&gt;/);
      assert.equal((await get(viewer, '/console/incidents/nope/review')).statusCode, 404);

      // The report: the period's incidents, each linking to its review.
      const report = await get(viewer, '/console/report');
      assert.equal(report.statusCode, 200, report.body);
      assert.match(report.body, /<h1>Communication report<\/h1>/);
      assert.match(report.body, /1 real incidents declared from/);
      assert.match(report.body, /<caption>By severity, last 30 days<\/caption>/);
      assert.match(report.body, /<th scope="row">SEV2<\/th><td>1<\/td>/);
      assert.match(report.body, new RegExp(`<a href="/console/incidents/${id}/review">${id}</a>`));
      const future = await get(viewer, '/console/report?from=2020-01-01T00%3A00&to=2020-02-01T00%3A00');
      assert.match(future.body, /0 real incidents/);
      const bad = await get(viewer, '/console/report?from=%3Cb%3Eyesterday');
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /value="&lt;b&gt;yesterday"/);

      // Suppressions: read by those who may read contacts, cleared by admins.
      await recordProviderReport(testCtx(t.app.db), 'ses', [
        {
          kind: 'email',
          contactKey: 'zed@example.com',
          reason: 'hard_bounce',
          source: 'ses',
          detail: '<b>550</b> no such user',
        },
      ]);
      assert.equal((await get(viewer, '/console/suppressions')).statusCode, 403);
      assert.doesNotMatch((await get(viewer, '/console')).body, /href="\/console\/suppressions"/);
      const seen = (await get(support, '/console/suppressions')).body;
      assert.match(seen, /<h3>zed@example\.com<\/h3>/);
      assert.match(seen, /hard bounce from ses/);
      assert.match(seen, /&lt;b&gt;550&lt;\/b&gt; no such user/);
      assert.doesNotMatch(seen, /\/clear"/, 'clearing is not offered to a support lead');
      const listed = (await get(admin, '/console/suppressions?q=zed')).body;
      const clear = /action="(\/console\/suppressions\/[\w-]+\/clear)"/.exec(listed)?.[1] as string;
      assert.ok(clear, 'an admin is offered to clear it');
      assert.equal((await inject(form(support, clear))).statusCode, 403);
      assert.match((await get(admin, '/console/suppressions')).body, /1 contacts/);
      const cleared = await inject(form(admin, clear));
      assert.equal(cleared.statusCode, 303, cleared.body);
      assert.equal(cleared.headers.location, '/console/suppressions?done=cleared');
      const after = (await get(admin, '/console/suppressions?done=cleared')).body;
      assert.match(after, /Cleared: the contact hears again\./);
      assert.match(after, /0 contacts/);
      assert.equal((await inject(form(admin, clear))).statusCode, 404);
      assert.equal((await get(admin, '/console/suppressions?page=0')).statusCode, 400);
    } finally {
      await t.close();
    }
  });
}
