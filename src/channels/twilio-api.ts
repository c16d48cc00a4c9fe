/**
 * Twilio's REST API as both Twilio channels use it: a form-encoded POST to
 * /2010-04-01/Accounts/{AccountSid}/{resource}.json with HTTP basic auth
 * (the account SID and auth token). 201 answers with the resource's `sid`;
 * errors are JSON with a numeric `code`, and the codes that mean the number
 * will never take our messages or calls end its subscription.
 * https://www.twilio.com/docs/usage/twilios-response
 */
import { z } from 'zod';
import { answerOf, createHttpClient, header } from './http-client.ts';
import { type ChannelDeps, httpFailure, networkFailure, type SendResult } from './types.ts';

/** Twilio's answer: the created resource's `sid` when it was accepted, an error `code` when not. */
const TwilioAnswer = z.looseObject({ sid: z.string().optional(), code: z.number().optional() });

interface TwilioAccount {
  readonly account: string;
  readonly token: string;
  readonly endpoint: string;
  readonly timeout_ms?: number | undefined;
}

/** Creates one resource (`Messages`, `Calls`) per call of the function it returns. */
export function twilioPoster(
  settings: TwilioAccount,
  resource: 'Messages' | 'Calls',
  goneCodes: ReadonlySet<number>,
  deps: ChannelDeps,
) {
  // The endpoint is the administrator's, not a subscriber's: it may be private (a stand-in, a proxy).
  const client = createHttpClient({ allowPrivateNetwork: true, timeoutMs: settings.timeout_ms ?? 15_000 });
  const url = `${settings.endpoint.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.account)}/${resource}.json`;
  const auth = `Basic ${Buffer.from(`${settings.account}:${settings.token}`).toString('base64')}`;
  return {
    async post(form: URLSearchParams): Promise<SendResult> {
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
}
