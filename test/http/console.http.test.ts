/**
 * The console's incident screens through HTTP, on both databases: pages
 * need a session; what a role may not do is neither offered nor done; a
 * refusal is shown on the page with nothing changed; user text is escaped.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

for (const dialect of dialects) {
  test(`console incident screens: sessions, roles, refusals, escaping [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    try {
      const anonymous = await t.app.server.inject({ method: 'GET', url: '/console' });
      assert.equal(anonymous.statusCode, 303);
      assert.equal(anonymous.headers.location, '/console/sign-in');

      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const viewer = await signedIn(t, 'vic@acme.test', 'viewer');

      const declared = await t.app.server.inject(
        form(lead, '/console/incidents', {
          name: '<script>alert(1)</script> & co',
          body: 'We are investigating <img src=x onerror=alert(1)>.',
        }),
      );
      assert.equal(declared.statusCode, 303, declared.body);
      const location = String(declared.headers.location);
      assert.match(location, /^\/console\/incidents\/[\w-]+\?done=declared$/);
      const id = location.split('/')[3]?.split('?')[0] as string;

      const page = await t.app.server.inject({ method: 'GET', url: location, headers: { cookie: lead } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<h1>&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; co<\/h1>/);
      assert.match(page.body, /We are investigating &lt;img src=x onerror=alert\(1\)&gt;\./);
      // The one script is the console's own file; no markup from the name or body.
      assert.doesNotMatch(
        page.body,
        /<script(?! type="module" src="\/console\/console\.js"><\/script>)|<img/,
      );
      assert.match(page.body, /Incident declared\./);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      assert.equal(page.headers['cache-control'], 'no-store');

      // A notice comes from a fixed list; anything else in the address is not echoed.
      const echo = await t.app.server.inject({
        method: 'GET',
        url: `/console/incidents/${id}?done=%3Cb%3Exyzzy`,
        headers: { cookie: lead },
      });
      assert.doesNotMatch(echo.body, /xyzzy/);

      // The viewer is offered nothing to do, and doing it anyway is refused with nothing changed.
      const drafted = await t.app.server.inject(
        form(lead, `/console/incidents/${id}/drafts`, { audience: 'public', body: 'A second word.' }),
      );
      assert.equal(drafted.statusCode, 303);
      const seen = await t.app.server.inject({
        method: 'GET',
        url: `/console/incidents/${id}`,
        headers: { cookie: viewer },
      });
      assert.doesNotMatch(seen.body, /Declare|Submit|Discard|New draft/);
      const uid = /id="u-([\w-]+)"/.exec(seen.body)?.[1] as string;
      assert.ok(uid);
      const before = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${id}`,
        headers: t.auth('admin'),
      });
      const refused = await t.app.server.inject(
        form(viewer, `/console/incidents/${id}/updates/${uid}/discard`),
      );
      assert.equal(refused.statusCode, 403);
      assert.match(
        refused.body,
        /The role viewer may not post or draft incident updates \(incident.update\)/,
      );
      const after = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${id}`,
        headers: t.auth('admin'),
      });
      assert.deepEqual(after.json(), before.json());

      const empty = await t.app.server.inject(
        form(lead, `/console/incidents/${id}/updates/${uid}/reject`, { comment: '' }),
      );
      assert.ok(empty.statusCode >= 400 && empty.statusCode < 500, `${empty.statusCode}`);
      assert.match(empty.body, /class="notice error"/);

      const missing = await t.app.server.inject({
        method: 'GET',
        url: '/console/incidents/nope',
        headers: { cookie: lead },
      });
      assert.equal(missing.statusCode, 404);
      assert.match(missing.body, /Back to the console/);

      const forged = await t.app.server.inject({
        ...form(lead, `/console/incidents/${id}/updates/${uid}/discard`),
        headers: {
          cookie: lead,
          origin: 'https://evil.example',
          'content-type': 'application/x-www-form-urlencoded',
        },
      });
      assert.equal(forged.statusCode, 403);
      assert.match(forged.body, /Origin did not match/);
      const still = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${id}`,
        headers: t.auth('admin'),
      });
      assert.deepEqual(still.json(), before.json());

      // Roles: the lead reassigns one; the viewer sees holders, not a form. The support brief is there.
      assert.match(seen.body, /Support brief/);
      assert.doesNotMatch(seen.body, /action="\/console\/incidents\/[\w-]+\/roles"/);
      const reassigned = await t.app.server.inject(
        form(lead, `/console/incidents/${id}/roles`, { comms_lead: 'carol@acme.test', incident_lead: '' }),
      );
      assert.equal(reassigned.statusCode, 303, reassigned.body);
      assert.match(String(reassigned.headers.location), /done=reassigned$/);
      const roles = await t.app.server.inject({
        method: 'GET',
        url: `/api/v1/incidents/${id}/roles`,
        headers: t.auth('admin'),
      });
      const comms = (roles.json() as { role: string; holder: string | null; assigned_by: string }[]).find(
        (r) => r.role === 'comms_lead',
      );
      assert.equal(comms?.holder, 'carol@acme.test');
      assert.equal(comms?.assigned_by, 'user:ivy@acme.test');
      const nothing = await t.app.server.inject(
        form(lead, `/console/incidents/${id}/roles`, { comms_lead: 'carol@acme.test' }),
      );
      assert.equal(nothing.statusCode, 400, 'reassigning nobody is refused, not silently done');

      const discarded = await t.app.server.inject(
        form(lead, `/console/incidents/${id}/updates/${uid}/discard`),
      );
      assert.equal(discarded.statusCode, 303);
      assert.match(String(discarded.headers.location), /done=discarded$/);
    } finally {
      await t.close();
    }
  });
}
