/**
 * A person's data, on both databases: everything held about one email
 * address (its subscriptions in every audience, their choices, deliveries,
 * votes on updates, suppression and audit mentions) comes out as JSON, and
 * erasing it takes the contact out of every table while an update's
 * delivery and vote counts stay what they were, the vote's comment gone. Both audited under a fingerprint, never the address; only
 * admins; bad input a 400 that changes nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordProviderReport } from '../../src/services/suppressions/suppressions.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, testConfig, testCtx } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

for (const dialect of dialects) {
  test(`a person's data is exported whole, then erased while the counts stay [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: '  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }',
        audiences: { public: ['status-page', 'email'], enterprise: ['email'] },
        env: { SMTP_URL: smtp.url },
      });
      const { auth, t } = app;
      const inject = app.app.server.inject.bind(app.app.server);
      const post = (url: string, payload: unknown, headers = auth) =>
        inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });
      const component = await post('/api/v1/components', { name: 'API' });
      assert.equal(component.statusCode, 201, component.body);
      const componentId = component.json().id as string;
      const added = async (payload: Record<string, unknown>) => {
        const res = await post('/api/v1/subscribers', payload);
        assert.equal(res.statusCode, 201, res.body);
        return res.json().id as string;
      };
      const pub = await added({ email: 'Ada@Example.com' });
      const ent = await added({
        email: 'ada@example.com',
        audience: 'enterprise',
        component_ids: [componentId],
      });
      const other = await added({ email: 'bob@example.com' });
      // The same address is also someone who signs in: the export shows the entry that names it.
      assert.equal(
        (await post('/api/v1/users', { email: 'ada@example.com', role: 'viewer' })).statusCode,
        201,
      );
      const { updateId } = await app.declare(
        'Checkout errors',
        'Card payments fail for some customers. Next update by 14:30 UTC.',
      );
      await app.settled(updateId);
      // Ada says, through the link in her email, that the update did not help, and why.
      const mail = smtp.mails.find((m) => m.to.some((to) => to.toLowerCase() === 'ada@example.com'));
      const code = /\/f\/([0-9a-z-]+)\?helpful=yes/.exec(mail?.text ?? '')?.[1];
      assert.ok(code, `the email asks: ${mail?.text}`);
      const voted = await inject({
        method: 'POST',
        url: `/feedback/${code}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'helpful=no&comment=Ada+Lovelace+here%3A+my+shop+lost+orders',
      });
      assert.equal(voted.statusCode, 200, voted.body);
      const ctx = testCtx(t.db, { config: testConfig({ CRIER_SOFT_BOUNCE_LIMIT: '3' }) });
      await recordProviderReport(ctx, 'ses', [
        {
          kind: 'email',
          contactKey: 'ada@example.com',
          reason: 'soft_bounce',
          source: 'ses',
          detail: 'Transient/MailboxFull',
        },
      ]);
      const summary = async () =>
        (
          await inject({
            method: 'GET',
            url: `/api/v1/deliveries/summary?update_id=${updateId}`,
            headers: auth,
          })
        ).json();
      const before = await summary();
      assert.equal(before.by_state.sent, 2);

      // Only admins; a contact that is neither an address nor a number is a 400.
      const lead = (await createToken(testCtx(t.db), { name: 'lead', role: 'comms_lead' })).token;
      const refused = await post(
        '/api/v1/subscribers/export-person',
        { contact: 'ada@example.com' },
        { authorization: `Bearer ${lead}` },
      );
      assert.equal(refused.statusCode, 403);
      for (const bad of [
        {},
        { contact: 'not a contact' },
        { contact: 'ada@example.com', extra: 1 },
        { contact: 5 },
      ]) {
        const res = await post('/api/v1/subscribers/forget', bad);
        assert.equal(res.statusCode, 400, `${JSON.stringify(bad)}: ${res.body}`);
      }
      assert.equal(
        (await t.db.selectFrom('subscribers').select('id').execute()).length,
        3,
        'nothing changed',
      );

      const exported = await post('/api/v1/subscribers/export-person', { contact: ' ADA@example.com ' });
      assert.equal(exported.statusCode, 200, exported.body);
      const data = exported.json();
      assert.equal(data.contact, 'ada@example.com');
      assert.equal(data.kind, 'email');
      assert.deepEqual(
        data.subscribers.map(
          (s: { id: string; audience: string; email: string; component_ids: string[] }) => [
            s.id,
            s.audience,
            s.email,
            s.component_ids,
          ],
        ),
        [
          [pub, 'public', 'Ada@Example.com', []],
          [ent, 'enterprise', 'ada@example.com', [componentId]],
        ],
      );
      assert.deepEqual(
        data.deliveries.map((d: { subscriber_id: string; subject_id: string; state: string }) => [
          d.subscriber_id,
          d.subject_id,
          d.state,
        ]),
        [[pub, updateId, 'sent']],
      );
      assert.deepEqual(
        data.feedback.map(
          (v: { subscriber_id: string; update_id: string; helpful: boolean; comment: string }) => [
            v.subscriber_id,
            v.update_id,
            v.helpful,
            v.comment,
          ],
        ),
        [[pub, updateId, false, 'Ada Lovelace here: my shop lost orders']],
      );
      assert.equal(data.suppression.reason, 'soft_bounce');
      assert.equal(data.suppression.soft_bounces, 1);
      const actions = data.audit.map((a: { action: string }) => a.action);
      assert.deepEqual(actions, ['subscriber.add', 'subscriber.add', 'user.add']);
      assert.ok(!JSON.stringify(data).includes('bob@example.com'), 'nobody else is in it');

      const forgotten = await post('/api/v1/subscribers/forget', { contact: 'ada@example.com' });
      assert.equal(forgotten.statusCode, 200, forgotten.body);
      assert.deepEqual(forgotten.json(), {
        fingerprint: forgotten.json().fingerprint,
        subscribers: 2,
        deliveries: 1,
        feedback: 1,
        suppressions: 1,
      });
      // The vote still counts, a subscriber's, with its words and its tie to Ada gone.
      const votes = await t.db
        .selectFrom('feedback_votes')
        .select(['subscriber_id', 'helpful', 'comment'])
        .execute();
      assert.equal(votes.length, 1);
      assert.equal(votes[0]?.helpful, 0);
      assert.equal(votes[0]?.comment, null);
      assert.match(votes[0]?.subscriber_id ?? '', /^erased:/);
      assert.notEqual(votes[0]?.subscriber_id, `erased:${pub}`);
      // Her link no longer takes a vote: the subscription it names is gone.
      const late = await inject({
        method: 'POST',
        url: `/feedback/${code}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'helpful=yes',
      });
      assert.equal(late.statusCode, 404, late.body);
      assert.equal((await t.db.selectFrom('feedback_votes').select('id').execute()).length, 1);
      assert.match(forgotten.json().fingerprint, /^sha256:[0-9a-f]{16}$/);

      // The contact is nowhere; the counts are what they were; the other subscriber is untouched.
      const remaining = await t.db.selectFrom('subscribers').select(['id', 'contact']).execute();
      assert.deepEqual(remaining, [{ id: other, contact: 'bob@example.com' }]);
      assert.equal((await t.db.selectFrom('subscriber_components').selectAll().execute()).length, 0);
      assert.equal((await t.db.selectFrom('suppressions').selectAll().execute()).length, 0);
      const deliveries = await t.db
        .selectFrom('deliveries')
        .select('subscriber_id')
        .where('subject_id', '=', updateId)
        .execute();
      assert.deepEqual(
        deliveries.map((d) => d.subscriber_id),
        [other],
      );
      assert.deepEqual(await summary(), before);
      // The append-only audit log names subscriptions by id and this person by a fingerprint only.
      const audit = await t.db.selectFrom('audit_log').selectAll().orderBy('id').execute();
      for (const row of audit.filter((a) => a.action !== 'user.add')) {
        for (const text of [row.before, row.after, row.subject_id])
          assert.ok(!/ada@example\.com/i.test(text ?? ''), `${row.action}: ${text}`);
      }
      const trail = audit.filter((a) => a.subject_type === 'person').map((a) => [a.action, a.subject_id]);
      assert.deepEqual(trail, [
        ['person.export', forgotten.json().fingerprint],
        ['person.forget', forgotten.json().fingerprint],
      ]);

      // Erasing again finds nothing and says so; an export after it is empty.
      const again = await post('/api/v1/subscribers/forget', { contact: 'ada@example.com' });
      assert.equal(again.json().subscribers, 0);
      const empty = (await post('/api/v1/subscribers/export-person', { contact: 'ada@example.com' })).json();
      assert.deepEqual(
        [empty.subscribers, empty.deliveries, empty.feedback, empty.suppression],
        [[], [], [], null],
      );
    } finally {
      await app?.close();
      await smtp.close();
    }
  });
}
