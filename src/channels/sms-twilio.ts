/**
 * SMS through Twilio's Messages API: POST
 * /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded To, From
 * (or MessagingServiceSid) and Body, HTTP basic auth with the account SID
 * and auth token. 201 answers with the message `sid`; errors are JSON with a
 * numeric `code` (21610: the recipient replied STOP).
 */
import { z } from 'zod';
import { answerOf, createHttpClient, header } from './http-client.ts';
import { Secret, SmsRules, Value } from './settings.ts';
import { smsText } from './sms-text.ts';
import { defineChannel, httpFailure, networkFailure, type SendResult } from './types.ts';

/** Twilio's answer: the message's `sid` when it was accepted, an error `code` when not. */
const TwilioAnswer = z.looseObject({ sid: z.string().optional(), code: z.number().optional() });

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
    // The endpoint is the administrator's, not a subscriber's: it may be private (a stand-in, a proxy).
    const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 15_000 });
    const url = `${settings.endpoint.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.account)}/Messages.json`;
    const auth = `Basic ${Buffer.from(`${settings.account}:${settings.token}`).toString('base64')}`;
    return {
      name,
      type: 'sms-twilio',
      async send(target, message): Promise<SendResult> {
        const form = new URLSearchParams({
          To: target.contact,
          Body: smsText(message, settings.max_segments),
        });
        if (settings.from.startsWith('MG')) form.set('MessagingServiceSid', settings.from);
        else form.set('From', settings.from);
        if (settings.status_callback) form.set('StatusCallback', settings.status_callback);
        try {
          const response = await client.post(url, form.toString(), {
            authorization: auth,
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            'user-agent': deps.userAgent,
          });
          if (response.status === 201 || response.status === 200) {
            const sid = answerOf(TwilioAnswer, response.body)?.sid;
            return { ok: true, ...(sid && { providerId: sid }) };
          }
          const failure = httpFailure(response.status, response.body, header(response, 'retry-after'));
          const code = answerOf(TwilioAnswer, response.body)?.code;
          if (code !== undefined && goneCodes.has(code) && !failure.ok) {
            return { ...failure, retry: false, gone: true };
          }
          return failure;
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
