/**
 * Email through Amazon SES v2 `SendEmail` (AWS SDK), with the same text,
 * HTML and unsubscribe headers as SMTP.
 */
import { z } from 'zod';
import { awsChannelConfig, awsFailure, lazySdk } from './aws.ts';
import { renderEmail } from './email-render.ts';
import { Aws, awsKeysCheck } from './settings.ts';
import { defineChannel, type SendResult } from './types.ts';

export const emailSes = defineChannel({
  type: 'email-ses',
  kind: 'email',
  variant: null,
  maxLength: null,
  reach: { subscribers: ['email'] },
  settings: { from: z.string().min(3), ...Aws },
  secrets: ['access_key_id', 'secret_access_key', 'session_token'],
  check: awsKeysCheck,
  lane: () => ({ concurrency: 5, maxAttempts: 10, retryBaseMs: 10_000, updates: 'all' }),
  create(name, settings, deps) {
    const ses = lazySdk(
      () => import('@aws-sdk/client-sesv2'),
      (sdk) => new sdk.SESv2Client(awsChannelConfig(settings, deps.userAgent)),
    );
    return {
      name,
      type: 'email-ses',
      async send(target, message): Promise<SendResult> {
        const mail = renderEmail(message);
        try {
          const { sdk, client } = await ses.get();
          const { MessageId } = await client.send(
            new sdk.SendEmailCommand({
              FromEmailAddress: settings.from,
              Destination: { ToAddresses: [target.contact] },
              Content: {
                Simple: {
                  Subject: { Data: mail.subject, Charset: 'UTF-8' },
                  Body: {
                    Text: { Data: mail.text, Charset: 'UTF-8' },
                    Html: { Data: mail.html, Charset: 'UTF-8' },
                  },
                  Headers: Object.entries(mail.headers).map(([Name, Value]) => ({ Name, Value })),
                },
              },
            }),
          );
          return { ok: true, ...(MessageId && { providerId: MessageId }) };
        } catch (err) {
          return awsFailure(err);
        }
      },
      close: () => ses.close(),
    };
  },
});
