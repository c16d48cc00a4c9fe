/**
 * Bounces and complaints, end to end on both databases. A real SMTP server
 * refuses one mailbox for good (550 5.1.1) at send time; a local stand-in
 * plays SNS (it serves a signing certificate this test made) for SES's bounce
 * and complaint notifications, signed as the SNS documentation says; the
 * Twilio stand-in receives the documented Messages request with its
 * StatusCallback, and status callbacks come back signed as Twilio signs them
 * (HMAC-SHA1 of the URL and the sorted parameters, written out here). Each
 * suppresses the contact in every audience; suppressed contacts get nothing
 * more, are listed, and an admin clears them.
 */
import assert from 'node:assert/strict';
import { createHmac, createSign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { dialects, testCtx } from '../helpers/db.ts';
import { type PlanApp, startPlanApp } from '../helpers/plan-app.ts';
import { startReceiver } from '../helpers/receiver.ts';
import { startSmtpSink } from '../helpers/smtp.ts';

const topic = 'arn:aws:sns:eu-west-1:123456789012:ses-feedback';
const twilioToken = 'twilio-auth-token-0001';
const publicUrl = 'https://status.crier.test';

interface Sns {
  origin: string;
  key: string;
  seen: string[];
  close(): Promise<void>;
}

async function startSns(): Promise<Sns> {
  const made = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    if (req.url === '/SimpleNotificationService-ses.pem') return res.end(made.cert);
    if (req.url?.startsWith('/?Action=ConfirmSubscription')) return res.end('<ConfirmSubscriptionResponse/>');
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    key: made.private,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An SNS Notification carrying `message`, signed (SignatureVersion 2) over the documented fields. */
function snsNotification(sns: Sns, message: object, topicArn = topic, key = sns.key): string {
  const m: Record<string, string> = {
    Type: 'Notification',
    MessageId: `m-${Math.random().toString(36).slice(2)}`,
    TopicArn: topicArn,
    Message: JSON.stringify(message),
    Timestamp: '2026-12-04T10:00:00.000Z',
    SignatureVersion: '2',
    SigningCertURL: `${sns.origin}/SimpleNotificationService-ses.pem`,
  };
  const text = ['Message', 'MessageId', 'Timestamp', 'TopicArn', 'Type']
    .map((f) => `${f}\n${m[f]}\n`)
    .join('');
  const signer = createSign('RSA-SHA256');
  signer.update(text, 'utf8');
  return JSON.stringify({ ...m, Signature: signer.sign(key, 'base64') });
}

/** SES's documented notification shapes. */
const bounce = (type: 'Permanent' | 'Transient', ...addresses: string[]) => ({
  notificationType: 'Bounce',
  bounce: {
    bounceType: type,
    bounceSubType: type === 'Permanent' ? 'General' : 'MailboxFull',
    bouncedRecipients: addresses.map((emailAddress) => ({
      emailAddress,
      action: 'failed',
      status: type === 'Permanent' ? '5.1.1' : '4.2.2',
      diagnosticCode: type === 'Permanent' ? 'smtp; 550 5.1.1 user unknown' : 'smtp; 452 4.2.2 mailbox full',
    })),
    timestamp: '2026-12-04T10:00:00.000Z',
    feedbackId: '0102015fd91a6479-ae22395c-000000',
    reportingMTA: 'dsn; a4-8.smtp-out.eu-west-1.amazonses.com',
  },
  mail: {
    timestamp: '2026-12-04T09:59:58.000Z',
    source: 'status@crier.test',
    messageId: 'x',
    destination: addresses,
  },
});
const complaint = (address: string) => ({
  notificationType: 'Complaint',
  complaint: {
    complainedRecipients: [{ emailAddress: address }],
    timestamp: '2026-12-04T10:00:00.000Z',
    feedbackId: '0102015fd91a6479-complaint',
    complaintFeedbackType: 'abuse',
  },
  mail: {
    timestamp: '2026-12-04T09:59:58.000Z',
    source: 'status@crier.test',
    messageId: 'y',
    destination: [address],
  },
});

/** Twilio's signature, as its security documentation describes it. */
function twilioSigned(url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', twilioToken).update(data, 'utf8').digest('base64');
}

for (const dialect of dialects) {
  test(`bounces, complaints and undeliverable numbers suppress contacts; an admin clears them [${dialect.name}]`, async () => {
    const smtp = await startSmtpSink();
    const sns = await startSns();
    const twilio = await startReceiver(() => ({
      status: 201,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sid: 'SM0123456789abcdef0123456789abcdef', status: 'queued' }),
    }));
    let app: PlanApp | undefined;
    try {
      app = await startPlanApp(dialect, {
        channels: `  email: { type: email-smtp, url: env:SMTP_URL, from: status@crier.test }
  sms:
    type: sms-twilio
    account: AC00000000000000000000000000000001
    token: env:TWILIO_TOKEN
    from: "+15550100"
    endpoint: ${twilio.url}
    status_callback: ${publicUrl}/webhooks/twilio/status`,
        audiences: { public: ['status-page', 'email', 'sms'], enterprise: ['email'] },
        env: {
          SMTP_URL: smtp.url,
          TWILIO_TOKEN: twilioToken,
          CRIER_SES_SNS_TOPICS: topic,
          CRIER_INGEST_SNS_HOSTS: sns.origin,
          CRIER_SOFT_BOUNCE_LIMIT: '2',
        },
      });
      const { auth } = app;
      const inject = app.app.server.inject.bind(app.app.server);
      const add = async (payload: Record<string, string>) => {
        const res = await inject({ method: 'POST', url: '/api/v1/subscribers', headers: auth, payload });
        assert.equal(res.statusCode, 201, res.body);
        return res.json() as { id: string; state: string };
      };
      const stateOf = async (id: string) =>
        await app?.t.db
          .selectFrom('subscribers')
          .select(['state', 'disabled_reason'])
          .where('id', '=', id)
          .executeTakeFirstOrThrow();
      const gone = await add({ email: 'Gone@Example.com' });
      const goneElsewhere = await add({ email: 'gone@example.com', audience: 'enterprise' });
      const bounced = await add({ email: 'bounced@example.com' });
      const annoyed = await add({ email: 'annoyed@example.com' });
      const full = await add({ email: 'full@example.com' });
      const fine = await add({ email: 'fine@example.com' });
      const landline = await add({ phone: '+14155550123' });
      smtp.rejected.add('gone@example.com');

      // At send time: the mailbox is refused for good, so the address is suppressed in every audience.
      const first = await app.declare(
        'Checkout errors',
        'Card payments fail for some customers. Next update by 14:30 UTC.',
      );
      const rows = await app.settled(first.updateId);
      const goneDelivery = rows.find((d) => d.subscriber_id === gone.id);
      assert.equal(goneDelivery?.state, 'dead');
      assert.match(goneDelivery?.last_error ?? '', /550|5\.1\.1/);
      assert.equal(goneDelivery?.attempts, 1, 'a hard bounce is not retried');
      assert.deepEqual(await stateOf(gone.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: hard_bounce',
      });
      assert.deepEqual(await stateOf(goneElsewhere.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: hard_bounce',
      });
      // The documented Messages request carries the status callback.
      const sms = new URLSearchParams(twilio.requests[0]?.body ?? '');
      assert.equal(
        twilio.requests[0]?.url,
        '/2010-04-01/Accounts/AC00000000000000000000000000000001/Messages.json',
      );
      assert.equal(sms.get('To'), '+14155550123');
      assert.equal(sms.get('StatusCallback'), `${publicUrl}/webhooks/twilio/status`);

      // SES through SNS: a permanent bounce and a complaint at once; transient bounces at the limit (2).
      const ses = (message: object) =>
        inject({
          method: 'POST',
          url: '/webhooks/ses',
          headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
          payload: snsNotification(sns, message),
        });
      const hard = await ses(bounce('Permanent', 'Bounced@example.com'));
      assert.equal(hard.statusCode, 200, hard.body);
      assert.deepEqual(hard.json(), { status: 'accepted', suppressed: 1, counted: 0 });
      assert.equal((await ses(complaint('annoyed@example.com'))).json().suppressed, 1);
      const soft = await ses(bounce('Transient', 'full@example.com'));
      assert.deepEqual(soft.json(), { status: 'accepted', suppressed: 0, counted: 1 });
      assert.equal((await stateOf(full.id))?.state, 'confirmed', 'one soft bounce is under the limit');
      assert.equal((await ses(bounce('Transient', 'full@example.com'))).json().suppressed, 1);
      assert.deepEqual(await stateOf(bounced.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: hard_bounce',
      });
      assert.deepEqual(await stateOf(annoyed.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: complaint',
      });
      assert.deepEqual(await stateOf(full.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: soft_bounce',
      });

      // Twilio's status callback: delivered changes nothing; undelivered with 30006 (landline) suppresses.
      const callback = async (
        params: Record<string, string>,
        signature = twilioSigned(`${publicUrl}/webhooks/twilio/status`, params),
      ) =>
        inject({
          method: 'POST',
          url: '/webhooks/twilio/status',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
          payload: new URLSearchParams(params).toString(),
        });
      const base = {
        AccountSid: 'AC00000000000000000000000000000001',
        ApiVersion: '2010-04-01',
        From: '+15550100',
        MessageSid: 'SM0123456789abcdef0123456789abcdef',
        SmsSid: 'SM0123456789abcdef0123456789abcdef',
        To: '+14155550123',
      };
      assert.equal(
        (await callback({ ...base, MessageStatus: 'delivered', SmsStatus: 'delivered' })).statusCode,
        204,
      );
      assert.equal((await stateOf(landline.id))?.state, 'confirmed');
      const forged = await callback(
        { ...base, MessageStatus: 'undelivered', ErrorCode: '30006' },
        'bm90IGEgc2lnbmF0dXJl',
      );
      assert.equal(forged.statusCode, 403);
      assert.equal((await stateOf(landline.id))?.state, 'confirmed', 'a forged callback changes nothing');
      const undelivered = await callback({
        ...base,
        MessageStatus: 'undelivered',
        SmsStatus: 'undelivered',
        ErrorCode: '30006',
      });
      assert.equal(undelivered.statusCode, 204, undelivered.body);
      assert.deepEqual(await stateOf(landline.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: undeliverable',
      });

      // Suppressed contacts get nothing more: the next update reaches only the one left.
      const mailsBefore = smtp.mails.length;
      const smsBefore = twilio.requests.length;
      const next = await app.declare(
        'Reports are slow',
        'Reports are slow to load for everyone. Next update by 15:00 UTC.',
      );
      const nextRows = await app.settled(next.updateId);
      assert.deepEqual(
        nextRows.filter((d) => d.state === 'sent').map((d) => d.subscriber_id),
        [fine.id],
      );
      assert.deepEqual(
        smtp.mails.slice(mailsBefore).map((m) => m.to),
        [['fine@example.com']],
      );
      assert.equal(twilio.requests.length, smsBefore, 'no SMS to the suppressed number');
      // Subscribing again does not bring them back, and sends them nothing.
      const again = await inject({
        method: 'POST',
        url: '/subscribe',
        headers: { 'content-type': 'application/json' },
        payload: { email: 'bounced@example.com' },
      });
      assert.ok(again.statusCode < 300, again.body);
      assert.deepEqual(await stateOf(bounced.id), {
        state: 'disabled',
        disabled_reason: 'suppressed: hard_bounce',
      });

      // Listed for those who read contacts; cleared by an admin only.
      const listed = await inject({ method: 'GET', url: '/api/v1/suppressions', headers: auth });
      assert.equal(listed.statusCode, 200);
      const list = listed.json() as {
        id: string;
        contact: string;
        reason: string;
        source: string;
        suppressed: boolean;
      }[];
      assert.deepEqual(list.map((s) => [s.contact, s.reason, s.source]).sort(), [
        ['+14155550123', 'undeliverable', 'twilio'],
        ['annoyed@example.com', 'complaint', 'ses'],
        ['bounced@example.com', 'hard_bounce', 'ses'],
        ['full@example.com', 'soft_bounce', 'ses'],
        ['gone@example.com', 'hard_bounce', 'email'],
      ]);
      const byContact = await inject({ method: 'GET', url: '/api/v1/suppressions?q=GONE', headers: auth });
      assert.deepEqual(
        byContact.json().map((s: { contact: string }) => s.contact),
        ['gone@example.com'],
      );
      const goneSuppression = list.find((s) => s.contact === 'gone@example.com');
      assert.ok(goneSuppression);
      const lead = (await createToken(testCtx(app.t.db), { name: 'lead', role: 'comms_lead' })).token;
      const refused = await inject({
        method: 'DELETE',
        url: `/api/v1/suppressions/${goneSuppression.id}`,
        headers: { authorization: `Bearer ${lead}` },
      });
      assert.equal(refused.statusCode, 403);
      const cleared = await inject({
        method: 'DELETE',
        url: `/api/v1/suppressions/${goneSuppression.id}`,
        headers: auth,
      });
      assert.equal(cleared.statusCode, 200, cleared.body);
      assert.deepEqual(cleared.json(), { restored: 2 });
      assert.deepEqual(await stateOf(gone.id), { state: 'confirmed', disabled_reason: null });
      assert.deepEqual(await stateOf(goneElsewhere.id), { state: 'confirmed', disabled_reason: null });
      const missing = await inject({
        method: 'DELETE',
        url: `/api/v1/suppressions/${goneSuppression.id}`,
        headers: auth,
      });
      assert.equal(missing.statusCode, 404);
      const audit = await app.t.db
        .selectFrom('audit_log')
        .select(['actor', 'action'])
        .where('subject_type', '=', 'suppression')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        audit.map((a) => `${a.actor} ${a.action}`),
        [
          'worker suppression.add',
          'ses suppression.add',
          'ses suppression.add',
          'ses suppression.add',
          'twilio suppression.add',
          'token:channel-test suppression.clear',
        ],
      );
    } finally {
      await app?.close();
      await Promise.all([smtp.close(), sns.close(), twilio.close()]);
    }
  });
}

test('provider reports refuse what they cannot believe, and change nothing', async () => {
  const sns = await startSns();
  let app: PlanApp | undefined;
  try {
    app = await startPlanApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
      channels: '  webhook: { type: webhook }',
      audiences: { public: ['status-page', 'webhook'] },
      env: { CRIER_SES_SNS_TOPICS: topic, CRIER_INGEST_SNS_HOSTS: sns.origin },
    });
    const inject = app.app.server.inject.bind(app.app.server);
    const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
      inject({ method: 'POST', url, headers: { 'content-type': 'text/plain', ...headers }, payload });
    const other = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], { keySize: 2048 });
    const cases: [string, Awaited<ReturnType<typeof post>>, number, string][] = [
      ['not JSON', await post('/webhooks/ses', '{'), 400, 'malformed_request'],
      ['not an SNS message', await post('/webhooks/ses', '{"hello":1}'), 400, 'validation_failed'],
      [
        'another topic',
        await post(
          '/webhooks/ses',
          snsNotification(
            sns,
            bounce('Permanent', 'a@example.com'),
            'arn:aws:sns:eu-west-1:999999999999:other',
          ),
        ),
        403,
        'forbidden',
      ],
      [
        'signed by another key',
        await post(
          '/webhooks/ses',
          snsNotification(sns, bounce('Permanent', 'a@example.com'), topic, other.private),
        ),
        401,
        'signature_invalid',
      ],
      [
        'not an SES notification',
        await post('/webhooks/ses', snsNotification(sns, { bounce: { bounceType: 'Sideways' } })),
        400,
        'validation_failed',
      ],
      [
        'unsigned Twilio callback',
        await post('/webhooks/twilio/status', 'MessageStatus=undelivered&ErrorCode=30006&To=%2B14155550123', {
          'content-type': 'application/x-www-form-urlencoded',
        }),
        403,
        'forbidden',
      ],
    ];
    for (const [what, res, status, code] of cases) {
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      assert.equal(res.json().error.code, code, what);
      assert.doesNotMatch(res.body, /<script/i);
    }
    const count = await app.t.db
      .selectFrom('suppressions')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 0);

    // The topic's subscription is confirmed by visiting SubscribeURL on the allowed host.
    const subscribeUrl = `${sns.origin}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=2336412f`;
    const m: Record<string, string> = {
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9',
      Token: '2336412f',
      TopicArn: topic,
      Message: 'You have chosen to subscribe to the topic.',
      SubscribeURL: subscribeUrl,
      Timestamp: '2026-12-04T09:50:00.000Z',
      SignatureVersion: '1',
      SigningCertURL: `${sns.origin}/SimpleNotificationService-ses.pem`,
    };
    const text = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
      .map((f) => `${f}\n${m[f]}\n`)
      .join('');
    const signer = createSign('RSA-SHA1');
    signer.update(text, 'utf8');
    const confirmed = await post(
      '/webhooks/ses',
      JSON.stringify({ ...m, Signature: signer.sign(sns.key, 'base64') }),
    );
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    assert.deepEqual(confirmed.json(), { status: 'subscribed', topic });
    assert.ok(sns.seen.some((u) => `${sns.origin}${u}` === subscribeUrl));
  } finally {
    await app?.close();
    await sns.close();
  }
});
