/**
 * The people and tokens screens through HTTP, on both databases: an admin
 * invites (the link shown once, in the answer, never in an address), sets
 * a role, removes; creates a token whose secret works, revokes it. Anyone
 * else is refused and offered nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { form, signedIn } from '../helpers/console.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

for (const dialect of dialects) {
  test(`console people and tokens: admins only, secrets shown once [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const get = async (cookie: string, url: string) => inject({ method: 'GET', url, headers: { cookie } });
    try {
      const admin = await signedIn(t, 'ada@acme.test', 'admin');
      const lead = await signedIn(t, 'ivy@acme.test', 'incident_lead');

      // Invite: the link is in the 201 answer, with no redirect, and it works.
      const invited = await inject(
        form(admin, '/console/users', { email: 'Bob@Acme.test', name: 'Bob <b>', role: 'support_lead' }),
      );
      assert.equal(invited.statusCode, 201, invited.body);
      assert.equal(invited.headers['referrer-policy'], 'no-referrer');
      const link = /<pre class="preview" id="secret">([^<]+)<\/pre>/.exec(invited.body)?.[1] as string;
      assert.match(link, /\/console\/invitation\/[\w-]+$/);
      assert.equal((await get('', new URL(link).pathname)).statusCode, 200);
      assert.match(invited.body, /<h3>Bob &lt;b&gt;<\/h3>/);
      const list = (await get(admin, '/console/users')).body;
      assert.doesNotMatch(list, /\/console\/invitation\//, 'the link is not shown again');
      const bob =
        /action="\/console\/users\/([\w-]+)\/role"><label>Role <select name="role">(?:(?!<\/select>).)*value="support_lead" selected/s.exec(
          list,
        );
      assert.ok(bob, 'Bob is listed with his role');
      const bobId = bob[1] as string;

      // A bad invitation is refused on the page and adds no one.
      const bad = await inject(form(admin, '/console/users', { email: 'not an email', role: 'viewer' }));
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /Give an email address\./);

      // Roles and removal.
      assert.equal(
        (await inject(form(admin, `/console/users/${bobId}/role`, { role: 'comms_lead' }))).statusCode,
        303,
      );
      const users = (
        await inject({ method: 'GET', url: '/api/v1/users', headers: t.auth('admin') })
      ).json() as {
        email: string;
        role: string;
      }[];
      assert.equal(users.find((u) => u.email === 'bob@acme.test')?.role, 'comms_lead');
      assert.equal(
        (await inject(form(admin, `/console/users/${bobId}/role`, { role: 'emperor' }))).statusCode,
        400,
      );
      assert.equal((await inject(form(admin, `/console/users/${bobId}/remove`))).statusCode, 303);
      assert.doesNotMatch((await get(admin, '/console/users')).body, /bob@acme\.test/);

      // Tokens: the secret once, and it authenticates; revoked, it does not.
      const made = await inject(form(admin, '/console/tokens', { name: 'deploy bot', role: 'responder' }));
      assert.equal(made.statusCode, 201, made.body);
      const secret = /<pre class="preview" id="secret">([^<]+)<\/pre>/.exec(made.body)?.[1] as string;
      const asBot = () =>
        inject({ method: 'GET', url: '/api/v1/incidents', headers: { authorization: `Bearer ${secret}` } });
      assert.equal((await asBot()).statusCode, 200);
      const tokens = (await get(admin, '/console/tokens')).body;
      assert.ok(!tokens.includes(secret), 'the secret is not shown again');
      const id = /<h3>deploy bot<\/h3>(?:(?!<\/li>).)*action="\/console\/tokens\/([\w-]+)\/revoke"/s.exec(
        tokens,
      )?.[1];
      assert.ok(id);
      assert.equal((await inject(form(admin, `/console/tokens/${id}/revoke`))).statusCode, 303);
      assert.equal((await asBot()).statusCode, 401);

      // Anyone else: not in the header, refused when asked, nothing created.
      const header = (await get(lead, '/console')).body;
      assert.doesNotMatch(header, /href="\/console\/(users|tokens)"/);
      assert.match((await get(admin, '/console')).body, /href="\/console\/users"/);
      assert.equal((await get(lead, '/console/users')).statusCode, 403);
      assert.equal((await get(lead, '/console/tokens')).statusCode, 403);
      const sneaky = await inject(form(lead, '/console/tokens', { name: 'mine', role: 'admin' }));
      assert.equal(sneaky.statusCode, 403);
      assert.doesNotMatch(sneaky.body, /id="secret"/);
      const count = (
        await inject({ method: 'GET', url: '/api/v1/tokens', headers: t.auth('admin') })
      ).json() as {
        name: string;
      }[];
      assert.ok(!count.some((x) => x.name === 'mine'));
    } finally {
      await t.close();
    }
  });
}

const rotaPlan = `version: 1
page: { name: Acme, time_zone: UTC }
roles:
  incident_lead: { rota: [ivy@acme.test, Dan@Acme.test, ops-bot] }
  comms_lead: { rota: [carol@acme.test, dan@acme.test] }
  support_lead: { rota: ["<b>sam</b>", sam@acme.test] }
severities:
  SEV2: { external_cadence: 30m, approval: none, audiences: [public] }
audiences:
  public: { channels: [status-page] }
`;

for (const dialect of dialects) {
  test(`console people: rota entries without a user are listed and invited with the rota's role [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect);
    const inject = t.app.server.inject.bind(t.app.server);
    const users = async () =>
      (await inject({ method: 'GET', url: '/api/v1/users', headers: t.auth('admin') })).json() as {
        email: string;
        role: string;
        state: string;
      }[];
    try {
      const admin = await signedIn(t, 'ada@acme.test', 'admin');
      await signedIn(t, 'ivy@acme.test', 'incident_lead');
      const lead = await signedIn(t, 'lee@acme.test', 'incident_lead');
      const applied = await inject({
        method: 'PUT',
        url: '/api/v1/plan',
        headers: t.auth('admin'),
        payload: { source: rotaPlan },
      });
      assert.equal(applied.statusCode, 200, applied.body);

      // Listed: every emailed rota entry that is no user (not Ivy, who is; not a token name).
      const page = (await inject({ method: 'GET', url: '/console/users', headers: { cookie: admin } })).body;
      const listed = [
        ...page.matchAll(
          /<li class="card"><h3>([^<]+)<\/h3><p class="muted">([^<]+)<\/p><form method="post" action="\/console\/users\/from-rota">.*?<button type="submit">([^<]+)</gs,
        ),
      ].map((m) => [m[1], m[2], m[3]]);
      assert.deepEqual(listed, [
        ['carol@acme.test', 'communications lead rota', 'Invite as comms lead'],
        ['dan@acme.test', 'incident lead rota, communications lead rota', 'Invite as incident lead'],
        ['sam@acme.test', 'support lead rota', 'Invite as support lead'],
      ]);
      assert.doesNotMatch(page, /<b>sam|ops-bot/, 'entries that are not emails are not people to invite');
      assert.equal((await users()).length, 3, 'listing creates nobody');

      // Only an admin invites; the role comes from the rota, whatever the form says.
      assert.equal(
        (await inject(form(lead, '/console/users/from-rota', { email: 'dan@acme.test' }))).statusCode,
        403,
      );
      const invited = await inject(
        form(admin, '/console/users/from-rota', { email: 'Dan@acme.test', role: 'admin' }),
      );
      assert.equal(invited.statusCode, 201, invited.body);
      assert.match(invited.body, /dan@acme\.test is invited as incident lead/);
      const link = /<pre class="preview" id="secret">([^<]+)<\/pre>/.exec(invited.body)?.[1] as string;
      assert.match(link, /\/console\/invitation\/[\w-]+$/);
      assert.equal((await inject({ method: 'GET', url: new URL(link).pathname })).statusCode, 200);
      const dan = (await users()).find((u) => u.email === 'dan@acme.test');
      assert.deepEqual([dan?.role, dan?.state], ['incident_lead', 'invited']);
      const [entry] = (
        await inject({ method: 'GET', url: '/api/v1/audit?action=user.add', headers: t.auth('admin') })
      ).json() as { actor: string; subject_id: string }[];
      assert.equal(entry?.actor, 'user:ada@acme.test');

      // Invited once: no longer listed, and a second try or an address in no rota is refused.
      const after = (await inject({ method: 'GET', url: '/console/users', headers: { cookie: admin } })).body;
      assert.doesNotMatch(after, /Invite as incident lead/);
      for (const email of ['dan@acme.test', 'mallory@evil.test', '']) {
        const refused = await inject(form(admin, '/console/users/from-rota', { email }));
        assert.equal(refused.statusCode, 404, email);
        assert.match(refused.body, /is not in a rota of the plan in force, or is a user already/);
      }
      assert.equal((await users()).length, 4);
    } finally {
      await t.close();
    }
  });
}
