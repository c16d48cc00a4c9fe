/**
 * Web push with VAPID (npm `web-push` builds the encrypted request); the
 * request itself goes through the guarded client, since the endpoint comes
 * from the subscriber's browser. 404 and 410 mean the subscription expired.
 */
import { z } from 'zod';
import { requireOnFirstUse } from '../domain/first-use.ts';
import { createHttpClient, header } from './http-client.ts';
import { Secret, Value } from './settings.ts';
import { defineChannel, httpFailure, networkFailure, type SendResult } from './types.ts';

// web-push (and the ASN.1 and big-number libraries beneath it) is loaded with the first push sent.
const webpush = requireOnFirstUse<typeof import('web-push')>('web-push');

/** A browser's push subscription (the Push API's `PushSubscription.toJSON()`), as a subscriber leaves it. */
export const PushSubscription = z.object({
  endpoint: z.url({ protocol: /^https$/ }).max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({ p256dh: z.string().min(10).max(200), auth: z.string().min(8).max(100) }),
});
export type PushSubscription = z.infer<typeof PushSubscription>;

/** As stored: what a browser gave (https), or what an admin or a test aimed at a server of theirs. */
const StoredPushSubscription = PushSubscription.extend({
  endpoint: z.url({ protocol: /^https?$/ }).max(2000),
});

/** The subscription a push subscriber's stored contact holds, or null when it holds none. */
export function pushSubscriptionOf(contact: string): PushSubscription | null {
  try {
    return StoredPushSubscription.parse(JSON.parse(contact));
  } catch {
    return null;
  }
}

export const webPush = defineChannel({
  type: 'webpush',
  kind: 'push',
  variant: null,
  maxLength: 1000,
  reach: { subscribers: ['push'] },
  settings: {
    vapid_public_key: Value,
    vapid_private_key: Secret,
    subject: z.string().min(1).describe('mailto: or https: contact for the push service.'),
  },
  secrets: ['vapid_private_key'],
  lane: () => ({ concurrency: 32, maxAttempts: 6, retryBaseMs: 5_000, updates: 'all' }),
  facts: (s) => ({ pushPublicKey: s.vapid_public_key }),
  create(name, settings, deps) {
    const client = createHttpClient({
      allowPrivateNetwork: deps.allowPrivateNetwork,
      timeoutMs: settings.timeout_ms ?? 10_000,
    });
    return {
      name,
      type: 'webpush',
      async send(target, message): Promise<SendResult> {
        const subscription = pushSubscriptionOf(target.contact);
        if (!subscription) {
          return { ok: false, retry: false, gone: true, reason: 'the stored push subscription is not one' };
        }
        const payload = JSON.stringify({
          title: `${message.drill ? '[DRILL] ' : ''}${message.title}`,
          body: message.text.slice(0, 1000),
          url: message.url ?? message.confirmUrl,
          tag: message.id,
        });
        try {
          const request = webpush().generateRequestDetails(subscription, payload, {
            vapidDetails: {
              subject: settings.subject,
              publicKey: settings.vapid_public_key,
              privateKey: settings.vapid_private_key,
            },
            TTL: 3600,
          });
          const response = await client.post(
            request.endpoint,
            request.body ?? Buffer.alloc(0),
            Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)])),
          );
          if (response.status >= 200 && response.status < 300) {
            return {
              ok: true,
              ...(header(response, 'location') && { providerId: String(header(response, 'location')) }),
            };
          }
          const failure = httpFailure(response.status, response.body, header(response, 'retry-after'));
          return response.status === 404 && !failure.ok ? { ...failure, gone: true } : failure;
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
