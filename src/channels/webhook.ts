/**
 * Webhooks with Statuspage's payload shapes, signed per the Standard
 * Webhooks spec: `webhook-id` (the same on every retry, so receivers can
 * drop duplicates), `webhook-timestamp` (seconds) and `webhook-signature`
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed by the decoded
 * `whsec_` secret.
 */
import { createHmac, createSecretKey, type KeyObject, randomBytes } from 'node:crypto';
import { jsonPostChannel } from './json-post.ts';
import { NoticeUrl, Secret } from './settings.ts';
import { defineChannel } from './types.ts';

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

// Building a key from bytes costs more than the HMAC itself; a fan-out signs many messages per secret.
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 10_000) keys.clear();
    key = createSecretKey(Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64'));
    keys.set(secret, key);
  }
  return key;
}

function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

export const webhook = defineChannel({
  type: 'webhook',
  kind: 'webhook',
  variant: null,
  maxLength: null,
  reach: { subscribers: ['webhook'], builtIn: true },
  settings: {
    ...NoticeUrl,
    secret: Secret.optional().describe('Signs notices sent to `url` (subscribers each have their own).'),
  },
  secrets: ['url', 'secret'],
  lane: () => ({ concurrency: 64, maxAttempts: 8, retryBaseMs: 5_000, updates: 'all' }),
  notices: (s) => (s.url ? { contact: s.url, secret: s.secret ?? null } : undefined),
  create(name, settings, deps) {
    return jsonPostChannel({
      name,
      type: 'webhook',
      deps,
      ...(settings.timeout_ms !== undefined && { timeoutMs: settings.timeout_ms }),
      ...(settings.concurrency !== undefined && { concurrency: settings.concurrency }),
      body: (message) =>
        message.eventJson ??
        message.event ?? {
          meta: { ...(message.manageUrl && { unsubscribe: message.manageUrl }) },
          notice: { id: message.id, title: message.title, body: message.text, url: message.url ?? null },
        },
      headers: (body, message, target) => {
        const secret = target.secret ?? settings.secret;
        const timestamp = Math.floor(Date.now() / 1000);
        return {
          'webhook-id': message.id,
          'webhook-timestamp': String(timestamp),
          ...(secret && { 'webhook-signature': signWebhook(secret, message.id, timestamp, body) }),
        };
      },
    });
  },
});
