/**
 * How a call ended, from Twilio's StatusCallback, end to end on both
 * databases: a `voice-twilio` channel with `status_callback` places each
 * delivery's call with a StatusCallback naming the delivery; Twilio's
 * callback (a form POST with CallSid and CallStatus, signed with
 * X-Twilio-Signature as Twilio signs: HMAC-SHA1 of the URL and the sorted
 * parameters, written out here) leaves a completed call's delivery sent and
 * makes an unanswered one dead, which an admin then replays. A bad
 * signature or a malformed callback changes nothing.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { dialects, outboxDrained } from '../helpers/db.ts';
import { startPlanApp } from '../helpers/plan-app.ts';
import { startReceiver, waitFor } from '../helpers/receiver.ts';

const account = 'AC00000000000000000000000000000004';
const token = 'twilio-call-token';
const publicUrl = 'https://status.crier.test';

function twilioSigned(url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

const sid = (n: number) => `CA${n.toString(16).padStart(32, '0')}`;

for (const dialect of dialects) {
  test(`a call's end from Twilio's signed status callback: completed stays sent, no-answer is dead and replayed [${dialect.name}]`, async () => {
    const twilio = await startReceiver((_r, i) => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: sid(i + 1), status: 'queued' }),
    }));
    const stand = await startPlanApp(dialect, {
      channels: `  voice: { type: voice-twilio, account: ${account}, token: ${token}, from: "+15550199", endpoint: ${twilio.url}, status_callback: ${publicUrl}/webhooks/twilio/call-status }`,
      audiences: { public: ['status-page', 'voice'] },
      env: { CRIER_ALLOW_PRIVATE_NETWORK: 'true' },
    }).catch(async (err: unknown) => {
      await twilio.close();
      throw err;
    });
    const { app, t, auth } = stand;
    const inject = app.server.inject.bind(app.server);
    try {
      for (const voice of ['+14155550100', '+14155550101']) {
        const added = await inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: auth,
          payload: { voice },
        });
        assert.equal(added.statusCode, 201, added.body);
      }
      const { id: incidentId, updateId } = await stand.declare(
        'Checkout errors',
        'Card payments fail for some customers. Next update by 14:30 UTC.',
      );
      const rows = await stand.settled(updateId);
      assert.equal(twilio.requests.length, 2);
      const byNumber = new Map(
        twilio.requests.map((r) => {
          const form = new URLSearchParams(r.body);
          assert.deepEqual([...form.keys()], ['To', 'From', 'Twiml', 'StatusCallback']);
          return [form.get('To'), form.get('StatusCallback')] as const;
        }),
      );
      const deliveryOf = (callback: string | null | undefined) =>
        new URL(callback ?? '').searchParams.get('delivery');
      for (const row of rows) assert.equal(row.state, 'sent');
      const answered = rows.find((r) => r.id === deliveryOf(byNumber.get('+14155550100')));
      const missed = rows.find((r) => r.id === deliveryOf(byNumber.get('+14155550101')));
      assert.ok(answered && missed && answered.id !== missed.id);
      assert.equal(
        byNumber.get('+14155550100'),
        `${publicUrl}/webhooks/twilio/call-status?delivery=${answered.id}`,
      );

      const callback = (delivery: string, params: Record<string, string>, signature?: string) => {
        const path = `/webhooks/twilio/call-status?delivery=${delivery}`;
        return inject({
          method: 'POST',
          url: path,
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            'x-twilio-signature': signature ?? twilioSigned(`${publicUrl}${path}`, params),
          },
          payload: new URLSearchParams(params).toString(),
        });
      };
      const base = {
        AccountSid: account,
        ApiVersion: '2010-04-01',
        Direction: 'outbound-api',
        From: '+15550199',
      };
      const stateOf = async (id: string) =>
        t.db
          .selectFrom('deliveries')
          .select(['state', 'last_error'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();

      // Signed with another token, or for another delivery than the URL Twilio was given: refused.
      const missedParams = {
        ...base,
        CallSid: missed.provider_id ?? '',
        CallStatus: 'no-answer',
        To: '+14155550101',
      };
      const forged = await callback(
        missed.id,
        missedParams,
        twilioSigned(`${publicUrl}/webhooks/twilio/call-status?delivery=${answered.id}`, missedParams),
      );
      assert.equal(forged.statusCode, 403, forged.body);
      assert.equal(JSON.parse(forged.body).error.code, 'forbidden');
      const malformed = await callback(missed.id, { ...base, CallStatus: 'no-answer' });
      assert.equal(malformed.statusCode, 400, malformed.body);
      assert.equal(JSON.parse(malformed.body).error.code, 'validation_failed');
      // Another call's SID for this delivery: not its call, nothing changes.
      assert.equal((await callback(missed.id, { ...missedParams, CallSid: sid(99) })).statusCode, 204);
      assert.equal((await stateOf(missed.id)).state, 'sent');

      const completed = await callback(answered.id, {
        ...base,
        CallSid: answered.provider_id ?? '',
        CallStatus: 'completed',
        CallDuration: '21',
        To: '+14155550100',
      });
      assert.equal(completed.statusCode, 204, completed.body);
      assert.deepEqual(await stateOf(answered.id), { state: 'sent', last_error: null });

      assert.equal((await callback(missed.id, missedParams)).statusCode, 204);
      assert.deepEqual(await stateOf(missed.id), {
        state: 'dead',
        last_error: `call no-answer (${missed.provider_id})`,
      });
      const audit = await t.db
        .selectFrom('audit_log')
        .select(['actor', 'after'])
        .where('action', '=', 'delivery.call_ended')
        .execute();
      assert.deepEqual(
        audit.map((a) => [a.actor, JSON.parse(a.after ?? '{}')]),
        [['twilio', { state: 'dead', call_status: 'no-answer' }]],
      );

      // Counted among the update's deliveries as dead, like any channel's failure.
      const counts = await inject({
        method: 'GET',
        url: `/api/v1/incidents/${incidentId}/updates/${updateId}/deliveries`,
        headers: auth,
      });
      assert.equal(counts.statusCode, 200, counts.body);
      assert.deepEqual(JSON.parse(counts.body).by_channel, { voice: { sent: 1, dead: 1 } });

      // Dead like any failed delivery: an admin replays it, and the number is called again.
      const replayed = await inject({
        method: 'POST',
        url: `/api/v1/deliveries/${missed.id}/replay`,
        headers: auth,
      });
      assert.ok(replayed.statusCode < 300, replayed.body);
      await waitFor(() => twilio.requests.length >= 3, 15_000, 'the call again');
      await outboxDrained(t.db);
      assert.equal(new URLSearchParams(twilio.requests[2]?.body).get('To'), '+14155550101');
      assert.equal((await stateOf(missed.id)).state, 'sent');
    } finally {
      await stand.close();
      await twilio.close();
    }
  });
}
