/**
 * Web push with VAPID (npm `web-push` builds the encrypted request); the
 * request itself goes through the guarded client, since the endpoint comes
 * from the subscriber's browser. 404 and 410 mean the subscription expired.
 */
import webpush from 'web-push';
import { z } from 'zod';
import { createHttpClient, header } from './http-client.ts';
import { Secret, Value } from './settings.ts';
import { defineChannel, httpFailure, networkFailure, type SendResult } from './types.ts';

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
        let subscription: webpush.PushSubscription;
        try {
          subscription = JSON.parse(target.contact) as webpush.PushSubscription;
        } catch {
          return { ok: false, retry: false, gone: true, reason: 'the stored push subscription is not JSON' };
        }
        const payload = JSON.stringify({
          title: `${message.drill ? '[DRILL] ' : ''}${message.title}`,
          body: message.text.slice(0, 1000),
          url: message.url ?? message.confirmUrl,
          tag: message.id,
        });
        try {
          const request = webpush.generateRequestDetails(subscription, payload, {
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
