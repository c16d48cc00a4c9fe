import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync, verify } from 'node:crypto';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { generate } from 'selfsigned';
import { buildChannelSet } from '../../src/delivery/channel-set.ts';
import { DeliveryMetrics } from '../../src/delivery/metrics.ts';
import { Worker } from '../../src/delivery/worker.ts';
import type { ChannelsInput } from '../../src/plan/channels.ts';
import { systemClock } from '../../src/services/context.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { addSubscriber } from '../../src/services/subscribers/subscribe.ts';
import type { Db } from '../../src/store/db.ts';
import { deliveryServices } from '../../src/worker.ts';
import { eachDialect, testConfig, testCtx } from '../helpers/db.ts';
import { type Answer, type Received, startReceiver, waitFor } from '../helpers/receiver.ts';

const localReceivers = testConfig({ CRIER_ALLOW_PRIVATE_NETWORK: 'true' });
const offered = new Set(['email', 'fcm', 'apns']);

function startWorker(db: Db, channels: ChannelsInput) {
  const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
  const set = buildChannelSet(channels, { allowPrivateNetwork: true, userAgent: 'test' });
  const worker = new Worker(ctx, deliveryServices(ctx), set, new DeliveryMetrics(), {
    pollMs: 50,
    leaseMs: 5_000,
  });
  worker.start();
  return worker;
}

const fcmToken = (name: string) => `${name}:APA91b${'x'.repeat(40)}`;

/** The JWT the token endpoint received: its claims, once its RS256 signature checks with the test's key. */
function assertion(r: Received, publicKey: string): Record<string, unknown> {
  const form = new URLSearchParams(r.body);
  assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
  const [head = '', claims = '', signature = ''] = String(form.get('assertion')).split('.');
  assert.deepEqual(JSON.parse(Buffer.from(head, 'base64url').toString()), { alg: 'RS256', typ: 'JWT' });
  const valid = createVerify('RSA-SHA256')
    .update(`${head}.${claims}`)
    .verify(publicKey, Buffer.from(signature, 'base64url'));
  assert.ok(valid, 'signed with the service account’s private key');
  return JSON.parse(Buffer.from(claims, 'base64url').toString());
}

eachDialect(
  test,
  'FCM: an OAuth-signed HTTP v1 message per device token; 429 retried, UNREGISTERED disables',
  async (db) => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const sent = new Map<string, number>();
    const receiver = await startReceiver((r): Answer => {
      if (r.url === '/token')
        return {
          status: 200,
          body: JSON.stringify({ access_token: 'ya29.test', expires_in: 3599, token_type: 'Bearer' }),
        };
      const token = String(JSON.parse(r.body).message?.token);
      const n = sent.get(token) ?? 0;
      sent.set(token, n + 1);
      if (token === fcmToken('busy') && n === 0)
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}',
        };
      if (token === fcmToken('gone'))
        return {
          status: 404,
          body: JSON.stringify({
            error: {
              code: 404,
              message: 'Requested entity was not found.',
              status: 'NOT_FOUND',
              details: [
                { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
              ],
            },
          }),
        };
      return {
        status: 200,
        body: '{"name":"projects/crier-test/messages/0:1500415314455276%31bd1c9631bd1c96"}',
      };
    });
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    const account = {
      type: 'service_account',
      project_id: 'crier-test',
      client_email: 'crier@crier-test.iam.gserviceaccount.com',
      private_key: privateKey,
      token_uri: `${receiver.url}/token`,
    };
    try {
      const ids = new Map<string, string>();
      for (const name of ['ok', 'busy', 'gone']) {
        const s = await addSubscriber(ctx, { device_token: fcmToken(name), platform: 'fcm' }, offered);
        ids.set(name, s.id);
      }
      const worker = startWorker(db, {
        fcm: {
          type: 'fcm',
          service_account: JSON.stringify(account),
          base_url: receiver.url,
          retry_base_ms: 50,
          retry_max_ms: 200,
        },
      });
      try {
        const incident = await declareIncident(ctx, {
          name: 'Checkout errors',
          body: 'Payments fail for some.',
        });
        const stateOf = async (name: string) =>
          await db
            .selectFrom('deliveries')
            .select(['state', 'attempts'])
            .where('subscriber_id', '=', ids.get(name) ?? '')
            .executeTakeFirst();
        await waitFor(
          async () =>
            (await Promise.all(['ok', 'busy', 'gone'].map(stateOf))).every(
              (d) => d && (d.state === 'sent' || d.state === 'dead'),
            ),
          20_000,
          'all settled',
        );
        const tokenRequests = receiver.requests.filter((r) => r.url === '/token');
        assert.equal(tokenRequests.length, 1, 'the access token is kept, not asked for each message');
        const [tokenRequest] = tokenRequests;
        assert.ok(tokenRequest);
        const claims = assertion(tokenRequest, publicKey);
        assert.equal(claims.iss, account.client_email);
        assert.equal(claims.scope, 'https://www.googleapis.com/auth/firebase.messaging');
        assert.equal(claims.aud, account.token_uri);
        assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
        assert.ok(Math.abs(Number(claims.iat) - Date.now() / 1000) < 120);

        const messages = receiver.requests.filter((r) => r.url !== '/token');
        for (const r of messages) {
          assert.equal(r.method, 'POST');
          assert.equal(r.url, '/v1/projects/crier-test/messages:send');
          assert.equal(r.headers.authorization, 'Bearer ya29.test');
        }
        const ok = messages.find((r) => JSON.parse(r.body).message.token === fcmToken('ok'));
        assert.ok(ok);
        const { message } = JSON.parse(ok.body);
        assert.deepEqual(Object.keys(message).sort(), ['data', 'notification', 'token']);
        assert.match(message.notification.title, /^Checkout errors/);
        assert.equal(message.notification.body, 'Payments fail for some.');
        assert.equal(message.data.incident_id, incident.id);
        assert.match(message.data.url, new RegExp(`/incidents/${incident.id}$`));
        assert.equal((await stateOf('ok'))?.state, 'sent');

        const busy = messages.filter((r) => JSON.parse(r.body).message.token === fcmToken('busy'));
        assert.equal(busy.length, 2);
        assert.ok((busy[1]?.at ?? 0) - (busy[0]?.at ?? 0) >= 950, 'waited for Retry-After');
        assert.equal((await stateOf('busy'))?.state, 'sent');

        assert.deepEqual(
          await stateOf('gone'),
          { state: 'dead', attempts: 1 },
          'an unregistered token is not retried',
        );
        const gone = await db
          .selectFrom('subscribers')
          .select('state')
          .where('id', '=', ids.get('gone') ?? '')
          .executeTakeFirst();
        assert.equal(gone?.state, 'disabled');
        const kept = await db
          .selectFrom('subscribers')
          .select('state')
          .where('id', '=', ids.get('ok') ?? '')
          .executeTakeFirst();
        assert.equal(kept?.state, 'confirmed');
      } finally {
        await worker.stop();
      }
    } finally {
      await receiver.close();
    }
  },
);

eachDialect(test, 'a device token is checked against its platform; a bad one changes nothing', async (db) => {
  const ctx = testCtx(db);
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ device_token: fcmToken('a'), platform: 'android' }, /platform: give fcm or apns/],
    [{ device_token: fcmToken('a') }, /platform: give fcm or apns/],
    [{ platform: 'fcm', email: 'a@example.com' }, /platform: give it with device_token/],
    [{ device_token: 'not hex <b>', platform: 'apns' }, /device_token: an APNs device token/],
    [{ device_token: 'short', platform: 'fcm' }, /device_token: an FCM registration token/],
  ];
  for (const [input, message] of bad) {
    await assert.rejects(addSubscriber(ctx, input, offered), (err: { code?: string; details?: unknown }) => {
      assert.equal(err.code, 'validation_failed');
      assert.match(JSON.stringify(err.details), message);
      return true;
    });
  }
  assert.equal((await db.selectFrom('subscribers').selectAll().execute()).length, 0);
  const hex = 'AB'.repeat(32);
  const apns = await addSubscriber(ctx, { device_token: hex, platform: 'apns' }, offered);
  const row = await db
    .selectFrom('subscribers')
    .selectAll()
    .where('id', '=', apns.id)
    .executeTakeFirstOrThrow();
  assert.equal(row.kind, 'apns');
  assert.equal(row.contact, hex.toLowerCase());
  await assert.rejects(
    addSubscriber(ctx, { device_token: fcmToken('b'), platform: 'fcm' }, new Set(['email'])),
    {
      code: 'channel_not_offered',
    },
  );
});

interface Http2Request {
  path: string;
  headers: http2.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** An APNs stand-in: HTTP/2 over TLS with a certificate this test made for localhost. */
async function startApns(answer: (r: Http2Request, n: number) => { status: number; body?: string }) {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] }],
  });
  const requests: Http2Request[] = [];
  const server = http2.createSecureServer({ key: pems.private, cert: pems.cert });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const r = {
        path: String(headers[':path']),
        headers,
        body: Buffer.concat(chunks).toString(),
        at: Date.now(),
      };
      requests.push(r);
      const reply = answer(r, requests.filter((q) => q.path === r.path).length - 1);
      stream.respond({ ':status': reply.status, 'apns-id': String(headers['apns-id']) });
      stream.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://localhost:${port}`,
    ca: pems.cert,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

eachDialect(
  test,
  'APNs: HTTP/2 with an ES256 provider token; 429 retried, 410 Unregistered disables',
  async (db) => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'prime256v1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const device = { ok: 'a1'.repeat(32), busy: 'b2'.repeat(32), gone: 'c3'.repeat(32) };
    const stand = await startApns((r, n) => {
      if (r.path === `/3/device/${device.busy}` && n === 0)
        return { status: 429, body: '{"reason":"TooManyRequests"}' };
      if (r.path === `/3/device/${device.gone}`)
        return { status: 410, body: '{"reason":"Unregistered","timestamp":1764800000000}' };
      return { status: 200 };
    });
    const ctx = testCtx(db, { clock: systemClock, config: localReceivers });
    try {
      const ids = new Map<string, string>();
      for (const [name, token] of Object.entries(device)) {
        ids.set(
          name,
          (await addSubscriber(ctx, { device_token: token.toUpperCase(), platform: 'apns' }, offered)).id,
        );
      }
      const worker = startWorker(db, {
        apns: {
          type: 'apns',
          team_id: 'TEAM123456',
          key_id: 'KEY1234567',
          private_key: privateKey,
          topic: 'com.example.status',
          base_url: stand.url,
          ca: stand.ca,
          retry_base_ms: 50,
          retry_max_ms: 200,
        },
      });
      try {
        const incident = await declareIncident(ctx, { name: 'Login slow', body: 'Sign-in takes a minute.' });
        const stateOf = async (name: string) =>
          await db
            .selectFrom('deliveries')
            .select(['state', 'attempts'])
            .where('subscriber_id', '=', ids.get(name) ?? '')
            .executeTakeFirst();
        await waitFor(
          async () =>
            (await Promise.all(Object.keys(device).map(stateOf))).every(
              (d) => d && (d.state === 'sent' || d.state === 'dead'),
            ),
          20_000,
          'all settled',
        );
        assert.equal(stand.requests.length, 4, 'ok, busy twice, gone once');
        const authorizations = new Set(stand.requests.map((r) => String(r.headers.authorization)));
        assert.equal(authorizations.size, 1, 'one provider token, reused');
        const [auth = ''] = [...authorizations];
        assert.match(auth, /^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        const [head = '', claims = '', signature = ''] = auth.slice('bearer '.length).split('.');
        assert.deepEqual(JSON.parse(Buffer.from(head, 'base64url').toString()), {
          alg: 'ES256',
          kid: 'KEY1234567',
        });
        const payload = JSON.parse(Buffer.from(claims, 'base64url').toString());
        assert.equal(payload.iss, 'TEAM123456');
        assert.ok(Math.abs(payload.iat - Date.now() / 1000) < 120);
        assert.ok(
          verify(
            'sha256',
            Buffer.from(`${head}.${claims}`),
            { key: publicKey, dsaEncoding: 'ieee-p1363' },
            Buffer.from(signature, 'base64url'),
          ),
          'signed with the team’s key',
        );
        for (const r of stand.requests) {
          assert.equal(r.headers[':method'], 'POST');
          assert.equal(r.headers['apns-topic'], 'com.example.status');
          assert.equal(r.headers['apns-push-type'], 'alert');
          assert.match(
            String(r.headers['apns-id']),
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
          );
        }
        const ok = stand.requests.find((r) => r.path === `/3/device/${device.ok}`);
        assert.ok(ok);
        const body = JSON.parse(ok.body);
        assert.match(body.aps.alert.title, /^Login slow/);
        assert.equal(body.aps.alert.body, 'Sign-in takes a minute.');
        assert.equal(body.incident_id, incident.id);
        assert.match(body.url, new RegExp(`/incidents/${incident.id}$`));
        assert.equal((await stateOf('ok'))?.state, 'sent');
        assert.equal((await stateOf('busy'))?.state, 'sent');
        assert.deepEqual(await stateOf('gone'), { state: 'dead', attempts: 1 });
        const gone = await db
          .selectFrom('subscribers')
          .select('state')
          .where('id', '=', ids.get('gone') ?? '')
          .executeTakeFirst();
        assert.equal(gone?.state, 'disabled');
      } finally {
        await worker.stop();
      }
    } finally {
      await stand.close();
    }
  },
);
