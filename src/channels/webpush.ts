/**
 * Web push with VAPID (npm `web-push` builds the encrypted request); the
 * request itself goes through the guarded client, since the endpoint comes
 * from the subscriber's browser. 404 and 410 mean the subscription expired.
 */
import webpush from 'web-push';
import type { z } from 'zod';
import type { WebPushSettings } from '../plan/channels.ts';
import { createHttpClient, header } from './http-client.ts';
import type { ChannelAdapter, SendResult } from './types.ts';
import { httpFailure, networkFailure } from './types.ts';

type Settings = z.infer<typeof WebPushSettings>;

export const webPush: ChannelAdapter<Settings> = {
  serves: ['push'],
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
};
