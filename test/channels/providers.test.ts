/**
 * Each provider module against a local stand-in that checks the request the
 * provider documents and plays back its documented answers, errors included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { signRequest } from '../../src/channels/aws-sigv4.ts';
import { emailSes } from '../../src/channels/email-ses.ts';
import { createHttpClient } from '../../src/channels/http-client.ts';
import { isPrivateAddress } from '../../src/channels/net-guard.ts';
import { smsSns } from '../../src/channels/sms-sns.ts';
import { smsTwilio } from '../../src/channels/sms-twilio.ts';
import type { Message } from '../../src/channels/types.ts';
import { webhook } from '../../src/channels/webhook.ts';
import { webPush } from '../../src/channels/webpush.ts';
import { ChannelsSection } from '../../src/plan/channels.ts';
import { type Answer, type Receiver, startReceiver } from '../helpers/receiver.ts';

const message: Message = {
  id: 'd0000000001a',
  kind: 'incident',
  title: 'Checkout errors: Investigating',
  text: 'Card payments fail for some customers. Next update by 14:30 UTC.',
  url: 'https://status.example/incidents/abc',
  manageUrl: 'https://status.example/unsubscribe/tok',
  unsubscribeUrl: 'https://status.example/unsubscribe/tok',
};
const deps = { allowPrivateNetwork: false, userAgent: 'crier-test' };
const settings = <T>(raw: unknown) => (ChannelsSection.parse({ c: raw }) as Record<string, T>).c as T;

let stand: Receiver;
let next: Answer[] = [];
before(async () => {
  stand = await startReceiver(() => next.shift() ?? { status: 200 });
});
after(() => stand.close());
const last = () => stand.requests.at(-1);

test('SigV4 reproduces the signature of the AWS documentation example (S3 GET Object)', () => {
  const headers = signRequest({
    method: 'GET',
    url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
    region: 'us-east-1',
    service: 's3',
    headers: { range: 'bytes=0-9' },
    body: '',
    credentials: {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    },
    now: new Date('2013-05-24T00:00:00Z'),
  });
  assert.equal(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
});

test('SES v2 SendEmail: the documented request, and throttling retried', async () => {
  const ses = emailSes.create(
    'ses',
    settings({
      type: 'email-ses',
      from: 'status@example.com',
      region: 'eu-west-1',
      access_key_id: 'AKIDEXAMPLE',
      secret_access_key: 'secret',
      endpoint: stand.url,
    }),
    deps,
  );
  next = [
    { status: 200, headers: { 'content-type': 'application/json' }, body: '{"MessageId":"0100018f-abc"}' },
  ];
  const ok = await ses.send({ contact: 'ann@example.com' }, message);
  assert.deepEqual(ok, { ok: true, providerId: '0100018f-abc' });
  const r = last();
  assert.ok(r);
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/v2/email/outbound-emails');
  assert.equal(r.headers['content-type'], 'application/json');
  assert.match(
    String(r.headers.authorization),
    /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/ses\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
  );
  assert.match(String(r.headers['x-amz-date']), /^\d{8}T\d{6}Z$/);
  const body = JSON.parse(r.body) as {
    FromEmailAddress: string;
    Destination: { ToAddresses: string[] };
    Content: {
      Simple: {
        Subject: { Data: string };
        Body: { Text: { Data: string } };
        Headers: { Name: string; Value: string }[];
      };
    };
  };
  assert.equal(body.FromEmailAddress, 'status@example.com');
  assert.deepEqual(body.Destination.ToAddresses, ['ann@example.com']);
  assert.equal(body.Content.Simple.Subject.Data, message.title);
  assert.match(body.Content.Simple.Body.Text.Data, /Card payments fail/);
  assert.deepEqual(
    body.Content.Simple.Headers.find((h) => h.Name === 'List-Unsubscribe-Post'),
    {
      Name: 'List-Unsubscribe-Post',
      Value: 'List-Unsubscribe=One-Click',
    },
  );
  next = [{ status: 429, body: '{"message":"Maximum sending rate exceeded."}' }];
  const throttled = await ses.send({ contact: 'ann@example.com' }, message);
  assert.equal(throttled.ok, false);
  assert.equal(!throttled.ok && throttled.retry, true);
  next = [{ status: 400, body: '{"message":"Email address is not verified."}' }];
  const rejected = await ses.send({ contact: 'ann@example.com' }, message);
  assert.equal(!rejected.ok && rejected.retry, false);
  await ses.close();
});

test('SNS Publish to a phone number: the documented query API request and XML answers', async () => {
  const sns = smsSns.create(
    'sns',
    settings({
      type: 'sms-sns',
      region: 'us-east-1',
      access_key_id: 'AKIDEXAMPLE',
      secret_access_key: 'secret',
      endpoint: `${stand.url}/`,
      max_segments: 1,
    }),
    deps,
  );
  next = [
    {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult></PublishResponse>',
    },
  ];
  const ok = await sns.send({ contact: '+14155550100' }, { ...message, text: 'x'.repeat(400) });
  assert.deepEqual(ok, { ok: true, providerId: '94f20ce6-13c5-43a0-9a9e-ca52d816e90b' });
  const r = last();
  assert.ok(r);
  assert.equal(r.method, 'POST');
  assert.equal(r.url, '/');
  assert.match(String(r.headers['content-type']), /^application\/x-www-form-urlencoded/);
  assert.match(
    String(r.headers.authorization),
    /Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/sns\/aws4_request/,
  );
  const form = new URLSearchParams(r.body);
  assert.equal(form.get('Action'), 'Publish');
  assert.equal(form.get('Version'), '2010-03-31');
  assert.equal(form.get('PhoneNumber'), '+14155550100');
  assert.equal(form.get('MessageAttributes.entry.1.Value.StringValue'), 'Transactional');
  assert.ok((form.get('Message') ?? '').length <= 160, 'kept to one segment');
  next = [
    {
      status: 400,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code></Error></ErrorResponse>',
    },
  ];
  const throttled = await sns.send({ contact: '+14155550100' }, message);
  assert.equal(!throttled.ok && throttled.retry, true);
  await sns.close();
});

test('Twilio: 429 retried after Retry-After; 21610 (the number replied STOP) ends the subscription', async () => {
  const twilio = smsTwilio.create(
    'twilio',
    settings({ type: 'sms-twilio', account: 'AC1', token: 't', from: 'MG123', endpoint: stand.url }),
    deps,
  );
  next = [
    {
      status: 429,
      headers: { 'retry-after': '7' },
      body: '{"code":20429,"message":"Too Many Requests","status":429}',
    },
  ];
  const busy = await twilio.send({ contact: '+14155550100' }, message);
  assert.deepEqual(busy.ok ? null : [busy.retry, busy.retryAfterMs], [true, 7000]);
  assert.equal(new URLSearchParams(last()?.body).get('MessagingServiceSid'), 'MG123');
  next = [
    {
      status: 400,
      body: '{"code":21610,"message":"Attempt to send to unsubscribed recipient","status":400}',
    },
  ];
  const stopped = await twilio.send({ contact: '+14155550100' }, message);
  assert.equal(!stopped.ok && stopped.gone, true);
  await twilio.close();
});

test('web push: an encrypted, VAPID-signed request to the subscription endpoint; 410 ends it', async () => {
  // A real key pair and subscription keys, as a browser would give them.
  const { generateVAPIDKeys } = (await import('web-push')).default;
  const vapid = generateVAPIDKeys();
  const { createECDH, randomBytes } = await import('node:crypto');
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const push = webPush.create(
    'push',
    settings({
      type: 'webpush',
      vapid_public_key: vapid.publicKey,
      vapid_private_key: vapid.privateKey,
      subject: 'mailto:ops@example.com',
    }),
    { ...deps, allowPrivateNetwork: true },
  );
  const subscription = JSON.stringify({
    endpoint: `${stand.url}/push/abc`,
    keys: { p256dh: ecdh.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  });
  next = [{ status: 201 }];
  const ok = await push.send({ contact: subscription }, message);
  assert.equal(ok.ok, true);
  const r = last();
  assert.ok(r);
  assert.equal(r.url, '/push/abc');
  assert.equal(r.headers['content-encoding'], 'aes128gcm');
  assert.equal(r.headers.ttl, '3600');
  assert.match(String(r.headers.authorization), /^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
  next = [{ status: 410 }];
  const gone = await push.send({ contact: subscription }, message);
  assert.equal(!gone.ok && gone.gone, true);
  await push.close();
});

test('private, loopback and link-local targets are refused at connect time, mapped and resolved ones too', async () => {
  for (const a of [
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::10.0.0.1',
  ]) {
    assert.equal(isPrivateAddress(a), true, a);
  }
  for (const a of ['93.184.216.34', '2606:4700:4700::1111', '::ffff:93.184.216.34'])
    assert.equal(isPrivateAddress(a), false, a);

  const hook = webhook.create('webhook', settings({ type: 'webhook' }), deps);
  const port = new URL(stand.url).port;
  const before = stand.requests.length;
  for (const url of [
    `http://127.0.0.1:${port}/x`,
    `http://localhost:${port}/x`,
    `http://[::ffff:127.0.0.1]:${port}/x`,
    `http://[::1]:${port}/x`,
  ]) {
    const result = await hook.send({ contact: url, secret: 'whsec_AAAA' }, message);
    assert.equal(result.ok, false, url);
    assert.equal(!result.ok && result.retry, false, `${url}: a refusal is not retried`);
    assert.match(!result.ok ? result.reason : '', /Refused to connect|private/, url);
  }
  assert.equal(stand.requests.length, before, 'no request reached the private address');
  await hook.close();
});

test('redirects are not followed and a slow receiver is cut off by the timeout', async () => {
  const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: 300 });
  next = [{ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } }];
  const redirected = await client.post(`${stand.url}/r`, '{}', { 'content-type': 'application/json' });
  assert.equal(redirected.status, 302);
  next = ['hang'];
  const started = Date.now();
  await assert.rejects(client.post(`${stand.url}/slow`, '{}', {}));
  assert.ok(Date.now() - started < 2_000);
  await client.close();
});
