/**
 * SMTP's temporary refusals about a mailbox at send time: a delivery that runs out of attempts
 * on one (452 4.2.2, mailbox full) counts a soft bounce for its address, and the address is
 * suppressed at CRIER_SOFT_BOUNCE_LIMIT; one that goes through on a later attempt (greylisting,
 * 450 4.2.0) counts nothing, and neither does a refusal about the server (451, no mailbox code).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

for (const dialect of dialects) {
  test(`a mailbox that stays full is a soft bounce each time a delivery gives up, suppressed at the limit [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  email:
    type: email-smtp
    url: env:SMTP_URL
    from: status@crier.test
    max_attempts: 2
    retry_base_ms: 20
    retry_max_ms: 50`,
        audiences: { public: ['status-page', 'email'] },
        env: { SMTP_URL: smtp.url, CRIER_SOFT_BOUNCE_LIMIT: '2' },
      });
      const { auth, t } = app;
      const inject = app.app.server.inject.bind(app.app.server);
      const add = async (email: string) => {
        const res = await inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: auth,
          payload: { email },
        });
        assert.equal(res.statusCode, 201, res.body);
        return res.json().id as string;
      };
      const full = await add('full@example.com');
      const grey = await add('grey@example.com');
      const fine = await add('fine@example.com');
      smtp.full.add('full@example.com');
      smtp.greylisted.add('grey@example.com');
      const suppression = (contact: string) =>
        t.db
          .selectFrom('suppressions')
          .select(['reason', 'source', 'soft_bounces', 'suppressed_at', 'detail'])
          .where('contact_key', '=', contact)
          .executeTakeFirst();
      const subscriber = (id: string) =>
        t.db
          .selectFrom('subscribers')
          .select(['state', 'disabled_reason'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      type Row = Awaited<ReturnType<PlanApp['settled']>>[number];
      const deliveryTo = (rows: Row[], id: string) => rows.find((d) => d.subscriber_id === id);

      const first = await app.declare(
        'Checkout errors',
        'Card payments fail for some. Next update by 14:30 UTC.',
      );
      let rows = await app.settled(first.updateId);
      assert.equal(deliveryTo(rows, full)?.state, 'dead');
      assert.equal(deliveryTo(rows, full)?.attempts, 2, 'retried: a full mailbox may empty');
      assert.match(deliveryTo(rows, full)?.last_error ?? '', /452|4\.2\.2/);
      assert.deepEqual(await suppression('full@example.com'), {
        reason: 'soft_bounce',
        source: 'email',
        soft_bounces: 1,
        suppressed_at: null,
        detail: deliveryTo(rows, full)?.last_error,
      });
      assert.deepEqual(
        await subscriber(full),
        { state: 'confirmed', disabled_reason: null },
        'under the limit',
      );
      // Greylisted: refused once, sent on the retry, no bounce at all.
      assert.equal(deliveryTo(rows, grey)?.state, 'sent');
      assert.equal(deliveryTo(rows, grey)?.attempts, 2);
      assert.equal(await suppression('grey@example.com'), undefined);

      const second = await inject({
        method: 'POST',
        url: `/api/v1/incidents/${first.id}/updates`,
        headers: auth,
        payload: {
          status: 'identified',
          body: 'Card payments still fail for some customers; we found the cause. Next update by 15:00 UTC.',
        },
      });
      assert.equal(second.statusCode, 201, second.body);
      rows = await app.settled(second.json().id as string);
      assert.equal(deliveryTo(rows, full)?.state, 'dead');
      const suppressed = await suppression('full@example.com');
      assert.equal(suppressed?.soft_bounces, 2);
      assert.ok(suppressed?.suppressed_at, 'the second soft bounce reaches CRIER_SOFT_BOUNCE_LIMIT');
      assert.deepEqual(await subscriber(full), {
        state: 'disabled',
        disabled_reason: 'suppressed: soft_bounce',
      });
      const audited = await t.db
        .selectFrom('audit_log')
        .select(['actor', 'after'])
        .where('action', '=', 'suppression.add')
        .execute();
      assert.equal(audited.length, 1);
      assert.equal(audited[0]?.actor, 'worker');
      assert.match(audited[0]?.after ?? '', /"reason":"soft_bounce"/);

      // The server refusing everyone for now (451, nothing about a mailbox) is no bounce of anyone's.
      smtp.failing = true;
      const third = await app.declare(
        'Login slow',
        'Sign-in takes longer than usual. Next update by 16:00 UTC.',
      );
      rows = await app.settled(third.updateId);
      assert.equal(deliveryTo(rows, fine)?.state, 'dead');
      assert.match(deliveryTo(rows, fine)?.last_error ?? '', /451/);
      assert.equal(await suppression('fine@example.com'), undefined);
      assert.equal(deliveryTo(rows, full), undefined, 'a suppressed address is not sent to');
      assert.equal((await suppression('full@example.com'))?.soft_bounces, 2);
    } finally {
      await app?.close();
      await smtp.close();
    }
  });
}
