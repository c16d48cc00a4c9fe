/**
 * SMS through Amazon SNS `Publish` to a phone number (AWS SDK), sent as
 * transactional, with the sender id where the plan gives one. Throttling
 * and 5xx are retried.
 */
import { z } from 'zod';
import { awsChannelConfig, awsFailure, lazySdk } from './aws.ts';
import { Aws, awsKeysCheck, SmsRules } from './settings.ts';
import { smsText } from './sms-text.ts';
import { defineChannel, type SendResult } from './types.ts';

const text = (value: string) => ({ DataType: 'String', StringValue: value });

export const smsSns = defineChannel({
  type: 'sms-sns',
  kind: 'sms',
  variant: 'sms',
  maxLength: null,
  reach: { subscribers: ['sms'] },
  settings: { sender_id: z.string().max(11).optional(), ...SmsRules, ...Aws },
  secrets: ['access_key_id', 'secret_access_key', 'session_token'],
  check: awsKeysCheck,
  lane: (s) => ({ concurrency: 10, maxAttempts: 6, retryBaseMs: 10_000, updates: s.updates }),
  create(name, settings, deps) {
    const sns = lazySdk(
      () => import('@aws-sdk/client-sns'),
      (sdk) => new sdk.SNSClient(awsChannelConfig(settings, deps.userAgent)),
    );
    return {
      name,
      type: 'sms-sns',
      async send(target, message): Promise<SendResult> {
        try {
          const { sdk, client } = await sns.get();
          const { MessageId } = await client.send(
            new sdk.PublishCommand({
              PhoneNumber: target.contact,
              Message: smsText(message, settings.max_segments),
              MessageAttributes: {
                'AWS.SNS.SMS.SMSType': text('Transactional'),
                ...(settings.sender_id && { 'AWS.SNS.SMS.SenderID': text(settings.sender_id) }),
              },
            }),
          );
          return { ok: true, ...(MessageId && { providerId: MessageId }) };
        } catch (err) {
          return awsFailure(err);
        }
      },
      close: () => sns.close(),
    };
  },
});
