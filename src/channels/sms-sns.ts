/**
 * SMS through Amazon SNS `Publish` to a phone number (query API, SigV4).
 * Answers are XML: `<MessageId>` on success, `<Code>` on error; throttling
 * and 5xx are retried.
 */
import { z } from 'zod';
import { postToAws } from './aws-post.ts';
import { createHttpClient, header } from './http-client.ts';
import { Aws, SmsRules } from './settings.ts';
import { smsText } from './sms-text.ts';
import { defineChannel, httpFailure, networkFailure, type SendResult } from './types.ts';

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

export const smsSns = defineChannel({
  type: 'sms-sns',
  kind: 'sms',
  variant: 'sms',
  maxLength: null,
  reach: { subscribers: ['sms'] },
  settings: { sender_id: z.string().max(11).optional(), ...SmsRules, ...Aws },
  secrets: ['access_key_id', 'secret_access_key', 'session_token'],
  lane: (s) => ({ concurrency: 10, maxAttempts: 6, retryBaseMs: 10_000, updates: s.updates }),
  create(name, settings, deps) {
    const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 15_000 });
    const endpoint = new URL(settings.endpoint ?? `https://sns.${settings.region}.amazonaws.com/`);
    const credentials = {
      accessKeyId: settings.access_key_id,
      secretAccessKey: settings.secret_access_key,
      sessionToken: settings.session_token,
    };
    return {
      name,
      type: 'sms-sns',
      async send(target, message): Promise<SendResult> {
        const form = new URLSearchParams({
          Action: 'Publish',
          Version: '2010-03-31',
          PhoneNumber: target.contact,
          Message: smsText(message, settings.max_segments),
          'MessageAttributes.entry.1.Name': 'AWS.SNS.SMS.SMSType',
          'MessageAttributes.entry.1.Value.DataType': 'String',
          'MessageAttributes.entry.1.Value.StringValue': 'Transactional',
        });
        if (settings.sender_id) {
          form.set('MessageAttributes.entry.2.Name', 'AWS.SNS.SMS.SenderID');
          form.set('MessageAttributes.entry.2.Value.DataType', 'String');
          form.set('MessageAttributes.entry.2.Value.StringValue', settings.sender_id);
        }
        const body = form.toString();
        try {
          const response = await postToAws(client, {
            url: endpoint,
            region: settings.region,
            service: 'sns',
            contentType: 'application/x-www-form-urlencoded; charset=utf-8',
            body,
            credentials,
            userAgent: deps.userAgent,
          });
          if (response.status === 200) {
            const id = tag(response.body, 'MessageId');
            return { ok: true, ...(id && { providerId: id }) };
          }
          const code = tag(response.body, 'Code');
          if (code === 'Throttling' || code === 'ThrottlingException') {
            return { ok: false, retry: true, reason: `SNS ${code}` };
          }
          const failure = httpFailure(
            response.status,
            code ?? response.body,
            header(response, 'retry-after'),
          );
          return failure;
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
