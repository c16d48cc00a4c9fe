/**
 * Phone calls through Twilio Programmable Voice: POST
 * /2010-04-01/Accounts/{AccountSid}/Calls.json, form-encoded To, From and
 * Twiml (what the call says, src/channels/voice-text.ts), HTTP basic auth
 * with the account SID and auth token; with `status_callback`, a
 * StatusCallback that Twilio posts the call's end to. 201 answers with the call's `sid`;
 * errors are JSON with a numeric `code` (21211: not a valid phone number).
 * https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource
 */
import { z } from 'zod';
import { Secret, Value } from './settings.ts';
import { twilioPoster } from './twilio-api.ts';
import { defineChannel } from './types.ts';
import { voiceTwiml } from './voice-text.ts';

/** Twilio error codes meaning this number can never be called: not valid, cannot be reached, not a number. */
const goneCodes = new Set([21211, 21214, 21217]);

export const voiceTwilio = defineChannel({
  type: 'voice-twilio',
  // Said from the template's voice text, else its SMS text (src/domain/channel-limits.ts).
  kind: 'voice',
  variant: 'voice',
  maxLength: null,
  reach: { subscribers: ['voice'] },
  settings: {
    account: Value.describe('The account SID (AC…).'),
    token: Secret.describe('The auth token. A secret.'),
    from: z.string().min(1).describe('The caller: a Twilio phone number in E.164 (+14155550100).'),
    endpoint: z.url().default('https://api.twilio.com'),
    status_callback: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Where Twilio reports how each call ended: {CRIER_PUBLIC_URL}/webhooks/twilio/call-status. A call not answered, busy or failed makes its delivery dead, to replay.',
      ),
    updates: z
      .enum(['first_and_resolved', 'all'])
      .default('first_and_resolved')
      .describe('Voice subscribers are called for the first and the resolving update only, unless `all`.'),
  },
  secrets: ['token'],
  // The same token signs the call status callbacks (src/ingest/provider-reports.ts).
  facts: (s) => ({ inboundSigningKey: s.token }),
  // A call lasts a minute or more: fewer at once than texts.
  lane: (s) => ({ concurrency: 4, maxAttempts: 6, retryBaseMs: 10_000, updates: s.updates }),
  create(name, settings, deps) {
    const twilio = twilioPoster(settings, 'Calls', goneCodes, deps);
    return {
      name,
      type: 'voice-twilio',
      send(target, message) {
        const form = new URLSearchParams({
          To: target.contact,
          From: settings.from,
          Twiml: voiceTwiml(message),
        });
        // A delivery's call (not a page's: it has no delivery) says which delivery its end belongs to.
        if (settings.status_callback && (message.kind === 'incident' || message.kind === 'maintenance')) {
          const callback = new URL(settings.status_callback);
          callback.searchParams.set('delivery', message.id);
          form.set('StatusCallback', callback.toString());
        }
        return twilio.post(form);
      },
      close: () => twilio.close(),
    };
  },
});
