/**
 * Email through Amazon SES v2 `SendEmail` (POST /v2/email/outbound-emails,
 * JSON, SigV4 for service `ses`), with the same text, HTML and unsubscribe
 * headers as SMTP.
 */
import { z } from 'zod';
import { postToAws } from './aws-post.ts';
import { renderEmail } from './email-render.ts';
import { createHttpClient, header } from './http-client.ts';
import { Aws } from './settings.ts';
import { defineChannel, httpFailure, networkFailure, type SendResult } from './types.ts';

export const emailSes = defineChannel({
  type: 'email-ses',
  kind: 'email',
  variant: null,
  maxLength: null,
  reach: { subscribers: ['email'] },
  settings: { from: z.string().min(3), ...Aws },
  secrets: ['access_key_id', 'secret_access_key', 'session_token'],
  lane: () => ({ concurrency: 5, maxAttempts: 10, retryBaseMs: 10_000, updates: 'all' }),
  create(name, settings, deps) {
    const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 15_000 });
    const base = (settings.endpoint ?? `https://email.${settings.region}.amazonaws.com`).replace(/\/+$/, '');
    const url = new URL(`${base}/v2/email/outbound-emails`);
    const credentials = {
      accessKeyId: settings.access_key_id,
      secretAccessKey: settings.secret_access_key,
      sessionToken: settings.session_token,
    };
    return {
      name,
      type: 'email-ses',
      async send(target, message): Promise<SendResult> {
        const mail = renderEmail(message);
        const body = JSON.stringify({
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
        });
        try {
          const response = await postToAws(client, {
            url,
            region: settings.region,
            service: 'ses',
            contentType: 'application/json',
            body,
            credentials,
            userAgent: deps.userAgent,
          });
          if (response.status === 200) {
            const id = (JSON.parse(response.body) as { MessageId?: string }).MessageId;
            return { ok: true, ...(id && { providerId: id }) };
          }
          return httpFailure(response.status, response.body, header(response, 'retry-after'));
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
