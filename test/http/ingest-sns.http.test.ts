/**
 * CloudWatch alarms through Amazon SNS. A local stand-in plays SNS: it
 * serves a signing certificate this test made (selfsigned) and answers the
 * subscription link; its origin is the one allowed host. Messages are signed
 * as the SNS documentation says (the string to sign written out here, field
 * by field), with SignatureVersion 1 (SHA-1) and 2 (SHA-256). A wrong
 * signature, a certificate elsewhere or out of date: 401, nothing stored.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import assert from 'node:assert/strict';
import { createSign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { generate } from 'selfsigned';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';
import { countRows, fixture, ingestKey, post } from '../helpers/ingest.ts';

const topic = 'arn:aws:sns:us-east-1:123456789012:crier-alarms';
let t: TestApp;
let stand: Server;
let origin: string;
let path: string;
const seen: { method: string; url: string }[] = [];
let key: string;
let expiredKey: string;

before(async () => {
  const now = Date.now();
  const good = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
  });
  const expired = await generate([{ name: 'commonName', value: 'sns.amazonaws.com' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 400 * 86_400_000),
    notAfterDate: new Date(now - 30 * 86_400_000),
  });
  key = good.private;
  expiredKey = expired.private;
  stand = createServer((req: IncomingMessage, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '' });
    if (req.url === '/SimpleNotificationService-good.pem') return res.end(good.cert);
    if (req.url === '/SimpleNotificationService-old.pem') return res.end(expired.cert);
    if (req.url?.startsWith('/?Action=ConfirmSubscription')) {
      res.setHeader('content-type', 'text/xml');
      return res.end(
        `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${topic}:2bcfbf39</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>075ecce8</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
      );
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(stand.address() as AddressInfo).port}`;
  t = await startTestApp(dialects[0] ?? { name: 'sqlite', url: 'sqlite::memory:' }, {
    env: { CRIER_INGEST_SNS_HOSTS: `sns.*.amazonaws.com,${origin}` },
  });
  path = (await ingestKey(t, 'cloudwatch')).path;
});
after(async () => {
  await t.close();
  await new Promise((resolve) => stand.close(resolve));
});

type Message = Record<string, string>;

/** The documented string to sign: these fields, in this order, each as "Name\nvalue\n" (Subject only when present). */
function signed(message: Message, privateKey = key): Message {
  const fields =
    message.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const text = fields
    .filter((f) => message[f] !== undefined)
    .map((f) => `${f}\n${message[f]}\n`)
    .join('');
  const signer = createSign(message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
  signer.update(text, 'utf8');
  return { ...message, Signature: signer.sign(privateKey, 'base64') };
}

function notification(
  alarm: object,
  version: '1' | '2',
  cert = `${origin}/SimpleNotificationService-good.pem`,
): Message {
  return {
    Type: 'Notification',
    MessageId: '22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324',
    TopicArn: topic,
    Subject: 'ALARM: "api-5xx-high" in US East (N. Virginia)',
    Message: JSON.stringify(alarm),
    Timestamp: '2026-12-04T10:00:11.000Z',
    SignatureVersion: version,
    SigningCertURL: cert,
    UnsubscribeURL: `${origin}/?Action=Unsubscribe&SubscriptionArn=${topic}:c9135db0`,
  };
}

// SNS posts its JSON as text/plain.
const send = (message: Message) =>
  post(t, path, JSON.stringify(message), { 'content-type': 'text/plain; charset=UTF-8' });

test('a SubscriptionConfirmation is verified, then confirmed by visiting its SubscribeURL on the allowed host', async () => {
  const subscribeUrl = `${origin}/?Action=ConfirmSubscription&TopicArn=${topic}&Token=2336412f37fb687f5d51e6e2425c464de`;
  const res = await send(
    signed({
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
      Token: '2336412f37fb687f5d51e6e2425c464de',
      TopicArn: topic,
      Message: `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: subscribeUrl,
      Timestamp: '2026-12-04T09:50:00.000Z',
      SignatureVersion: '1',
      SigningCertURL: `${origin}/SimpleNotificationService-good.pem`,
    }),
  );
  assert.equal(res.statusCode, 200, res.body);
  assert.match(res.json().note, /^subscribed to arn:aws:sns/);
  assert.ok(
    seen.some((r) => r.method === 'GET' && `${origin}${r.url}` === subscribeUrl),
    `the stand-in saw ${JSON.stringify(seen)}`,
  );
});

test('CloudWatch alarm notifications (SignatureVersion 1 and 2) fire, repeat and resolve one alert; the certificate is fetched once', async () => {
  const alarm = JSON.parse(fixture('cloudwatch-alarm.json'));
  const fired = await send(signed(notification(alarm, '2')));
  assert.equal(fired.statusCode, 200, fired.body);
  assert.deepEqual(fired.json(), { status: 'accepted', alerts: 1, new: 1, repeated: 0, resolved: 0 });
  const again = await send(signed(notification(alarm, '1')));
  assert.equal(again.json().repeated, 1);
  const row = await t.app.db
    .selectFrom('alerts')
    .selectAll()
    .where('source', '=', 'cloudwatch')
    .executeTakeFirstOrThrow();
  assert.equal(row.fingerprint, 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:api-5xx-high');
  assert.equal(row.title, 'API answers 5xx to more than 5% of requests');
  assert.equal(row.starts_at, '2026-12-04T10:00:10.512Z');
  assert.equal(JSON.parse(row.labels).LoadBalancer, 'app/api/50dc6c495c0c9188');
  assert.match(
    row.link ?? '',
    /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#alarmsV2:alarm\/api-5xx-high$/,
  );

  const ok = {
    ...alarm,
    NewStateValue: 'OK',
    OldStateValue: 'ALARM',
    StateChangeTime: '2026-12-04T10:20:10.000+0000',
  };
  const resolved = await send(signed(notification(ok, '2')));
  assert.equal(resolved.json().resolved, 1);
  const closed = await t.app.db
    .selectFrom('alerts')
    .selectAll()
    .where('id', '=', row.id)
    .executeTakeFirstOrThrow();
  assert.equal(closed.status, 'resolved');
  assert.equal(closed.ends_at, '2026-12-04T10:20:10.000Z');
  const insufficient = await send(
    signed(notification({ ...alarm, NewStateValue: 'INSUFFICIENT_DATA' }, '2')),
  );
  assert.equal(insufficient.json().alerts, 0);
  assert.equal(seen.filter((r) => r.url === '/SimpleNotificationService-good.pem').length, 1, 'cached');
});

test('a wrong signature, a certificate off the allowed hosts or out of date, an unknown version: 401 and nothing stored', async () => {
  const alarm = JSON.parse(fixture('cloudwatch-alarm.json'));
  const alertsBefore = await countRows(t, 'alerts');
  const payloadsBefore = await countRows(t, 'ingest_payloads');
  const requestsBefore = seen.length;
  const good = signed(notification({ ...alarm, AlarmName: 'other' }, '2'));
  const cases: [string, Message][] = [
    ['a changed message', { ...good, Message: good.Message?.replace('other', 'forged') ?? '' }],
    ['a changed subject', { ...good, Subject: 'OK' }],
    ['no signature', { ...good, Signature: '' }],
    ['signed by another key', signed(notification({ ...alarm, AlarmName: 'other' }, '2'), expiredKey)],
    ['SignatureVersion 3', { ...good, SignatureVersion: '3' }],
    [
      'a certificate on another host',
      signed(notification(alarm, '2', 'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem')),
    ],
    [
      'a certificate over plain HTTP from SNS',
      signed(notification(alarm, '2', 'http://sns.us-east-1.amazonaws.com/cert.pem')),
    ],
    [
      'a certificate that is not a .pem',
      signed(notification(alarm, '2', `${origin}/SimpleNotificationService-good.txt`)),
    ],
    [
      'an expired certificate',
      signed(notification(alarm, '2', `${origin}/SimpleNotificationService-old.pem`), expiredKey),
    ],
  ];
  for (const [what, message] of cases) {
    const res = await send(message);
    assert.equal(res.statusCode, 401, `${what}: ${res.body}`);
    assert.equal(res.json().error.code, 'signature_invalid', what);
  }
  assert.equal(await countRows(t, 'alerts'), alertsBefore);
  assert.equal(await countRows(t, 'ingest_payloads'), payloadsBefore);
  const fetched = seen.slice(requestsBefore).map((r) => r.url);
  assert.deepEqual(fetched, ['/SimpleNotificationService-old.pem'], 'only the allowed host was asked, once');
});

test('a SubscribeURL off the allowed hosts is not visited, even when the message is signed', async () => {
  const before = seen.length;
  const res = await send(
    signed({
      Type: 'SubscriptionConfirmation',
      MessageId: '165545c9-0000',
      Token: 'abc',
      TopicArn: topic,
      Message: 'confirm',
      SubscribeURL: 'https://attacker.example/?Action=ConfirmSubscription',
      Timestamp: '2026-12-04T09:50:00.000Z',
      SignatureVersion: '2',
      SigningCertURL: `${origin}/SimpleNotificationService-good.pem`,
    }),
  );
  assert.equal(res.statusCode, 200);
  assert.match(res.json().note, /could not confirm/);
  assert.equal(seen.length, before);
});
