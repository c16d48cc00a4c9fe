/**
 * Apple Push Notification service over HTTP/2 with a token-based key: a
 * push to each device token a company's own iOS app registered (subscribers
 * of kind `apns`). The provider token is an ES256 JWT (`kid` the key's id,
 * `iss` the team, `iat`), made with node:crypto and reused for 50 minutes,
 * as Apple asks (at most one an hour, at least every 20 minutes renewed
 * ones are refused). APNs answers 410 `Unregistered` for a token that ended:
 * its subscription is disabled (docs/adr/0032-mobile-push.md).
 */
import { createHash, sign } from 'node:crypto';
import http2 from 'node:http2';
import { z } from 'zod';
import { incidentIdOf, mobileAlert } from './fcm.ts';
import { Secret, Value } from './settings.ts';
import { defineChannel, httpFailure, networkFailure, type SendResult } from './types.ts';

const tokenLifetimeMs = 50 * 60_000;

/** An ES256 provider token for APNs: `kid` and `iss` in the clear, signed with the team's .p8 key. */
function providerToken(keyId: string, teamId: string, privateKey: string, nowSeconds: number): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = `${part({ alg: 'ES256', kid: keyId })}.${part({ iss: teamId, iat: nowSeconds })}`;
  const signature = sign('sha256', Buffer.from(head), { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return `${head}.${signature.toString('base64url')}`;
}

interface Answer {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
}

export const apns = defineChannel({
  type: 'apns',
  kind: 'push',
  variant: null,
  maxLength: 1000,
  reach: { subscribers: ['apns'] },
  settings: {
    team_id: z.string().regex(/^[A-Z0-9]{10}$/, 'the 10-character Apple team id'),
    key_id: z.string().regex(/^[A-Z0-9]{10}$/, 'the 10-character id of the APNs key'),
    private_key: Secret.describe('A secret: the APNs key (.p8, PEM) as env:NAME.'),
    topic: Value.describe('The app’s bundle id (apns-topic).'),
    base_url: z
      .url({ protocol: /^https$/ })
      .default('https://api.push.apple.com')
      .describe('https://api.sandbox.push.apple.com for development builds; a stand-in’s in tests.'),
    ca: Value.optional().describe('A CA certificate (PEM) to trust for base_url, besides the system’s.'),
  },
  secrets: ['private_key'],
  lane: () => ({ concurrency: 32, maxAttempts: 6, retryBaseMs: 5_000, updates: 'all' }),
  create(name, settings) {
    let session: http2.ClientHttp2Session | undefined;
    let token: { value: string; until: number } | undefined;
    const timeoutMs = settings.timeout_ms ?? 10_000;
    const connect = (): http2.ClientHttp2Session => {
      if (session && !session.closed && !session.destroyed) return session;
      const opened = http2.connect(settings.base_url, settings.ca ? { ca: settings.ca } : {});
      opened.on('error', () => opened.destroy());
      opened.on('goaway', () => opened.close());
      opened.unref();
      session = opened;
      return opened;
    };
    const bearer = (): string => {
      const now = Date.now();
      if (!token || token.until <= now) {
        const value = providerToken(
          settings.key_id,
          settings.team_id,
          settings.private_key,
          Math.floor(now / 1000),
        );
        token = { value, until: now + tokenLifetimeMs };
      }
      return token.value;
    };
    const post = (path: string, body: string, headers: http2.OutgoingHttpHeaders) =>
      new Promise<Answer>((resolve, reject) => {
        const request = connect().request({ ':method': 'POST', ':path': path, ...headers });
        request.setTimeout(timeoutMs, () => request.close(http2.constants.NGHTTP2_CANCEL));
        let status = 0;
        let answerHeaders: http2.IncomingHttpHeaders = {};
        const chunks: Buffer[] = [];
        request.on('response', (h) => {
          status = Number(h[':status']);
          answerHeaders = h;
        });
        request.on('data', (c: Buffer) => chunks.push(c));
        request.on('end', () =>
          status
            ? resolve({ status, headers: answerHeaders, body: Buffer.concat(chunks).toString() })
            : reject(new Error('APNs closed the stream without an answer')),
        );
        request.on('error', reject);
        request.end(body);
      });
    return {
      name,
      type: 'apns',
      async send(target, message): Promise<SendResult> {
        if (!/^[0-9a-f]{64,200}$/.test(target.contact)) {
          return { ok: false, retry: false, gone: true, reason: 'the stored device token is not one' };
        }
        const incidentId = incidentIdOf(message);
        const link = message.url ?? message.confirmUrl;
        const body = JSON.stringify({
          aps: { alert: mobileAlert(message), sound: 'default' },
          ...(incidentId && { incident_id: incidentId }),
          ...(link && { url: link }),
        });
        try {
          const answer = await post(`/3/device/${target.contact}`, body, {
            authorization: `bearer ${bearer()}`,
            'apns-topic': settings.topic,
            'apns-push-type': 'alert',
            'apns-priority': '10',
            'apns-id': toUuid(message.id),
            'content-type': 'application/json',
          });
          if (answer.status === 200) {
            const id = answer.headers['apns-id'];
            return { ok: true, ...(typeof id === 'string' && { providerId: id }) };
          }
          const failure = httpFailure(
            answer.status,
            answer.body,
            String(answer.headers['retry-after'] ?? '') || null,
          );
          if (failure.ok) return failure;
          // An expired or refused provider token is made again on the next attempt.
          if (answer.status === 403 && /ExpiredProviderToken/.test(answer.body)) {
            token = undefined;
            return { ...failure, retry: true };
          }
          return /"reason"\s*:\s*"(Unregistered|BadDeviceToken)"/.test(answer.body) || answer.status === 410
            ? { ...failure, retry: false, gone: true }
            : failure;
        } catch (err) {
          return networkFailure(err);
        }
      },
      async close() {
        const open = session;
        session = undefined;
        if (open && !open.closed) await new Promise<void>((resolve) => open.close(() => resolve()));
      },
    };
  },
});

/** The delivery id in the UUID form APNs' `apns-id` asks for, stable across retries. */
function toUuid(id: string): string {
  const hex = createHash('sha256').update(id).digest('hex').slice(0, 32);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
