/**
 * Each provider module against a local stand-in that checks the request the
 * provider documents and plays back its documented answers, errors included.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createHttpClient } from '../../src/channels/http-client.ts';
import { isPrivateAddress } from '../../src/channels/net-guard.ts';
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
