/**
 * SMS through Twilio's Messages API: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From
 * (or MessagingServiceSid) and Body, HTTP basic auth with the account SID
 * and auth token. 201 answers with the message `sid`; errors are JSON with a
 * numeric `code` (21610: the recipient replied STOP).
 */
import { z } from 'zod';
import { Secret, SmsRules, Value } from './settings.ts';
import { smsText } from './sms-text.ts';
import { twilioPoster } from './twilio-api.ts';
import { defineChannel } from './types.ts';

/** Twilio error codes meaning this number will never take our messages. */
const goneCodes = new Set([21610, 21614, 21211, 21612]);

export const smsTwilio = defineChannel({
  type: 'sms-twilio',
  kind: 'sms',
  variant: 'sms',
  maxLength: null,
  reach: { subscribers: ['sms'] },
  settings: {
    account: Value.describe('The account SID (AC…).'),
    token: Secret.describe('The auth token; also verifies inbound STOP webhooks. A secret.'),
    from: z.string().min(1).describe('The sender: an E.164 number, or a Messaging Service SID (MG…).'),
    endpoint: z.url().default('https://api.twilio.com'),
    status_callback: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Where Twilio reports each message’s delivery status: {CRIER_PUBLIC_URL}/webhooks/twilio/status. Numbers it cannot deliver to are suppressed.',
      ),
    ...SmsRules,
  },
  secrets: ['token'],
  lane: (s) => ({ concurrency: 10, maxAttempts: 6, retryBaseMs: 10_000, updates: s.updates }),
  facts: (s) => ({ inboundSigningKey: s.token }),
  create(name, settings, deps) {
    const twilio = twilioPoster(settings, 'Messages', goneCodes, deps);
    return {
      name,
      type: 'sms-twilio',
      send(target, message) {
        const form = new URLSearchParams({
          To: target.contact,
          Body: smsText(message, settings.max_segments),
        });
        if (settings.from.startsWith('MG')) form.set('MessagingServiceSid', settings.from);
        else form.set('From', settings.from);
        if (settings.status_callback) form.set('StatusCallback', settings.status_callback);
        return twilio.post(form);
      },
      close: () => twilio.close(),
    };
  },
});
