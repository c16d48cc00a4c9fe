import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { twilioSignature } from '../../src/channels/twilio-signature.ts';
import { dialects } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const plan = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
const env = { CRIER_PLAN: plan, CRIER_PUBLIC_URL: 'https://status.crier.test' };

for (const dialect of dialects) {
  test(`subscribers: public form, same answers, rate limits, confirm and unsubscribe pages [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const form = await inject({
        method: 'POST',
        url: '/subscribe',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=bob%40example.com',
      });
      assert.equal(form.statusCode, 200);
      assert.match(form.headers['content-type'] ?? '', /text\/html/);
      const row = await t.app.db.selectFrom('subscribers').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.state, 'pending');
      const queued = await t.app.db.selectFrom('deliveries').select(['subject_type', 'state']).execute();
      assert.deepEqual(queued, [{ subject_type: 'confirmation', state: 'pending' }], 'only the confirmation');

      const bad = await inject({ method: 'POST', url: '/subscribe', payload: { phone: '555-0100' } });
      assert.equal(bad.statusCode, 400);
      assert.equal(JSON.parse(bad.body).error.code, 'validation_failed');
      const hostile = await inject({
        method: 'POST',
        url: '/subscribe',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'email=%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      });
      assert.equal(hostile.statusCode, 400);
      assert.doesNotMatch(hostile.body, /<script>/);
      const push = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { push: '{"endpoint":"https://push.example/x"}' },
      });
      assert.equal(push.statusCode, 400, 'web push is not offered without VAPID keys');
      const slack = await inject({
        method: 'POST',
        url: '/subscribe',
        payload: { slack: 'https://hooks.example/s' },
      });
      assert.equal(
        JSON.parse(slack.body).error.code,
        'channel_not_offered',
        "Slack is not among the public audience's channels",
      );
      assert.equal(JSON.parse(push.body).error.code, 'validation_failed');

      // Per contact: the fourth request within the hour is refused, known contact or not.
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push(
          (await inject({ method: 'POST', url: '/subscribe', payload: { email: 'eve@example.com' } }))
            .statusCode,
        );
      assert.deepEqual(answers, [202, 202, 202, 429]);

      assert.equal((await inject({ method: 'GET', url: '/confirm/nope' })).statusCode, 404);
      const confirm = await inject({ method: 'POST', url: `/confirm/${row.confirm_token}` });
      assert.equal(confirm.statusCode, 200);
      const page = await inject({ method: 'GET', url: `/unsubscribe/${row.token}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /b…@example\.com/, 'the address is shown masked');
      assert.doesNotMatch(page.body, /bob@example\.com/);
      const stillConfirmed = await t.app.db
        .selectFrom('subscribers')
        .select('state')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.equal(stillConfirmed.state, 'confirmed', 'opening the page changes nothing');
      const post = await inject({
        method: 'POST',
        url: `/unsubscribe/${row.token}`,
        headers: { 'content-type': 'multipart/form-data; boundary=x' },
        payload:
          '--x\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--x--\r\n',
      });
      assert.equal(post.statusCode, 200);
      const after = await t.app.db
        .selectFrom('subscribers')
        .select('state')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.equal(after.state, 'unsubscribed');
    } finally {
      await t.close();
    }
  });

  test(`subscribers: admin add, CSV import and export, counts, delete, replay [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      const admin = t.auth('admin');
      const api = await inject({
        method: 'POST',
        url: '/api/v1/components',
        headers: admin,
        payload: { name: 'API' },
      });
      const apiId = (JSON.parse(api.body) as { id: string }).id;

      const rows = ['email,phone,webhook,component_ids,locale'];
      for (let i = 0; i < 2000; i++) rows.push(`user${i}@example.com,,,${i % 2 ? apiId : ''},en`);
      rows.push(
        '"q@example.com",,,,"en-GB"',
        ',+14155550123,,,',
        ',,https://hooks.example/x,,',
        'not-an-email,,,,',
        `z@example.com,,,missing-component,`,
      );
      const started = Date.now();
      const imported = await inject({
        method: 'POST',
        url: '/api/v1/subscribers/import',
        headers: { ...admin, 'content-type': 'text/csv' },
        payload: `${rows.join('\r\n')}\r\n`,
      });
      const took = Date.now() - started;
      assert.equal(imported.statusCode, 200, imported.body);
      const result = JSON.parse(imported.body) as {
        rows: number;
        imported: number;
        invalid: number;
        errors: { line: number }[];
      };
      assert.equal(result.rows, 2005);
      assert.equal(result.imported, 2003);
      assert.equal(result.invalid, 2);
      assert.deepEqual(
        result.errors.map((e) => e.line),
        [2005, 2006],
      );
      // A bound against a pathological path, not a benchmark: 2-6 s alone, up to 30 s on PostgreSQL with
      // the suite running on a shared two-core machine.
      assert.ok(took < 60_000, `2,005 rows took ${took} ms`);

      const counts = JSON.parse(
        (await inject({ method: 'GET', url: '/api/v1/subscribers/counts', headers: admin })).body,
      ) as Record<string, Record<string, number>>;
      assert.equal(counts.email?.confirmed, 2001);
      assert.equal(counts.sms?.confirmed, 1);
      assert.equal(counts.webhook?.confirmed, 1);
      assert.equal(counts.total?.confirmed, 2003);

      const search = await inject({ method: 'GET', url: '/api/v1/subscribers?q=user1999', headers: admin });
      assert.equal(search.headers['x-total-count'], '1');
      const byComponent = await inject({
        method: 'GET',
        url: `/api/v1/subscribers?component_id=${apiId}&kind=email&per_page=1`,
        headers: admin,
      });
      assert.equal(
        byComponent.headers['x-total-count'],
        '2001',
        'those who chose the component and those who chose all',
      );

      const again = await inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: admin,
        payload: { email: 'USER1@example.com' },
      });
      assert.equal(again.statusCode, 409);
      const added = await inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: admin,
        payload: { subscriber: { webhook: 'https://hooks.example/y' } },
      });
      assert.equal(added.statusCode, 201);
      const view = JSON.parse(added.body) as { id: string; secret: string; state: string };
      assert.match(view.secret, /^whsec_/);
      assert.equal(view.state, 'confirmed');

      const exported = await inject({ method: 'GET', url: '/api/v1/subscribers/export', headers: admin });
      assert.equal(exported.statusCode, 200);
      assert.match(exported.headers['content-type'] ?? '', /text\/csv/);
      const lines = exported.body.trim().split('\n');
      assert.equal(lines.length, 1 + 2004);
      assert.ok(lines.some((l) => l.includes(',q@example.com,') && l.includes(',en-GB,')));
      assert.ok(
        lines.some((l) => l.includes(",'+14155550123,")),
        'a phone number starts with +, so it is defused like any formula',
      );

      const confirmImport = await inject({
        method: 'POST',
        url: '/api/v1/subscribers/import?confirm=true',
        headers: { ...admin, 'content-type': 'text/csv' },
        payload: 'email\nnew@example.com\n',
      });
      assert.equal(JSON.parse(confirmImport.body).imported, 1);
      const pending = await t.app.db
        .selectFrom('subscribers')
        .select('state')
        .where('contact', '=', 'new@example.com')
        .executeTakeFirstOrThrow();
      assert.equal(pending.state, 'pending');

      assert.equal(
        (await inject({ method: 'DELETE', url: `/api/v1/subscribers/${view.id}`, headers: admin }))
          .statusCode,
        204,
      );
      const missing = await inject({ method: 'GET', url: `/api/v1/subscribers/${view.id}`, headers: admin });
      assert.equal(JSON.parse(missing.body).error.code, 'subscriber_not_found');

      // A dead delivery comes back with fresh attempts when an admin replays it.
      const sub = await t.app.db
        .selectFrom('subscribers')
        .select('id')
        .where('contact', '=', 'user0@example.com')
        .executeTakeFirstOrThrow();
      const now = new Date().toISOString();
      await t.app.db
        .insertInto('deliveries')
        .values({
          id: 'deadbeef0001',
          subject_type: 'incident_update',
          subject_id: 'u1',
          incident_id: null,
          subscriber_id: sub.id,
          channel: 'email',
          via: 'email',
          state: 'dead',
          attempts: 10,
          next_attempt_at: now,
          lease_until: null,
          provider_id: null,
          last_error: 'HTTP 503',
          created_at: now,
          updated_at: now,
          sent_at: null,
        })
        .execute();
      const dead = await inject({ method: 'GET', url: '/api/v1/deliveries?state=dead', headers: admin });
      assert.equal(dead.headers['x-total-count'], '1');
      assert.equal(
        (
          await inject({
            method: 'POST',
            url: '/api/v1/deliveries/deadbeef0001/replay',
            headers: t.auth('viewer'),
          })
        ).statusCode,
        403,
      );
      const replay = await inject({
        method: 'POST',
        url: '/api/v1/deliveries/deadbeef0001/replay',
        headers: t.auth('comms_lead'),
      });
      assert.deepEqual(JSON.parse(replay.body), { replayed: 1 });
      const back = await t.app.db
        .selectFrom('deliveries')
        .select(['state', 'attempts'])
        .where('id', '=', 'deadbeef0001')
        .executeTakeFirstOrThrow();
      assert.deepEqual(back, { state: 'pending', attempts: 0 });
      const log = await inject({
        method: 'GET',
        url: `/api/v1/subscribers/${sub.id}/deliveries`,
        headers: admin,
      });
      assert.equal(JSON.parse(log.body)[0]?.id, 'deadbeef0001');
    } finally {
      await t.close();
    }
  });

  test(`Twilio inbound STOP unsubscribes the number, and only with a valid signature [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const inject = t.app.server.inject.bind(t.app.server);
      await inject({
        method: 'POST',
        url: '/api/v1/subscribers',
        headers: t.auth('admin'),
        payload: { phone: '+14155550100' },
      });
      const params = new URLSearchParams({
        MessageSid: 'SM1',
        From: '+14155550100',
        To: '+15550100',
        Body: 'Stop',
      });
      const url = 'https://status.crier.test/webhooks/twilio/sms';
      const forged = await inject({
        method: 'POST',
        url: '/webhooks/twilio/sms',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature('wrong', url, params),
        },
        payload: params.toString(),
      });
      assert.equal(forged.statusCode, 403);
      let row = await t.app.db.selectFrom('subscribers').select('state').executeTakeFirstOrThrow();
      assert.equal(row.state, 'confirmed');
      const genuine = await inject({
        method: 'POST',
        url: '/webhooks/twilio/sms',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature('twilio-test-token', url, params),
        },
        payload: params.toString(),
      });
      assert.equal(genuine.statusCode, 200);
      assert.match(genuine.body, /<Response><\/Response>/);
      row = await t.app.db.selectFrom('subscribers').select('state').executeTakeFirstOrThrow();
      assert.equal(row.state, 'unsubscribed');
    } finally {
      await t.close();
    }
  });
}
