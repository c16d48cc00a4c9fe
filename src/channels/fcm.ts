/**
 * Firebase Cloud Messaging HTTP v1: a push to each device token a company's
 * own app registered (subscribers of kind `fcm`). The access token comes
 * from the plan's service account by the OAuth 2.0 JWT-bearer grant, signed
 * here with node:crypto and posted through the guarded client, and is kept
 * until a minute before it expires (docs/adr/0032-mobile-push.md).
 * A token FCM reports as UNREGISTERED ends its subscription.
 */
import { createSign } from 'node:crypto';
import { z } from 'zod';
import { answerOf, createHttpClient, type HttpClient, header } from './http-client.ts';
import { Secret } from './settings.ts';
import { defineChannel, httpFailure, type Message, networkFailure, type SendResult } from './types.ts';

/** The fields of a Google service-account key file this channel uses. */
const ServiceAccount = z.object({
  project_id: z.string().min(1).optional(),
  client_email: z.string().min(1),
  private_key: z.string().includes('PRIVATE KEY'),
  token_uri: z.url({ protocol: /^https?$/ }).default('https://oauth2.googleapis.com/token'),
});
type ServiceAccount = z.infer<typeof ServiceAccount>;

const scope = 'https://www.googleapis.com/auth/firebase.messaging';
const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().default(3600),
});

/** The service account from its JSON text, or what is wrong with it. */
function serviceAccountOf(json: string): ServiceAccount | string {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return 'service_account is not JSON: give the key file Google Cloud downloads, as env:NAME';
  }
  const parsed = ServiceAccount.safeParse(value);
  return parsed.success
    ? parsed.data
    : `service_account: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An RS256 JWT asserting the service account, for the token endpoint. */
function serviceAccountJwt(account: ServiceAccount, nowSeconds: number): string {
  const head = `${base64url({ alg: 'RS256', typ: 'JWT' })}.${base64url({
    iss: account.client_email,
    scope,
    aud: account.token_uri,
    iat: nowSeconds,
    exp: nowSeconds + 3600,
  })}`;
  const signature = createSign('RSA-SHA256').update(head).sign(account.private_key).toString('base64url');
  return `${head}.${signature}`;
}

/**
 * Access tokens for one service account, fetched once and kept until a minute before they expire;
 * sends that start while one is being fetched wait for that one.
 */
function accessTokens(account: ServiceAccount, client: HttpClient) {
  let cached: { token: string; until: number } | undefined;
  let pending: Promise<string | SendResult> | undefined;
  const fetchToken = async (): Promise<string | SendResult> => {
    const now = Date.now();
    const form = new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: serviceAccountJwt(account, Math.floor(now / 1000)),
    });
    const response = await client.post(account.token_uri, form.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
    const answer = response.status === 200 ? answerOf(TokenAnswer, response.body) : undefined;
    if (!answer) {
      const failure = httpFailure(response.status, response.body, header(response, 'retry-after'));
      return failure.ok ? failure : { ...failure, reason: `the access token was refused: ${failure.reason}` };
    }
    cached = { token: answer.access_token, until: now + (answer.expires_in - 60) * 1000 };
    return cached.token;
  };
  return {
    get(): Promise<string | SendResult> {
      if (cached && cached.until > Date.now()) return Promise.resolve(cached.token);
      pending ??= fetchToken().finally(() => {
        pending = undefined;
      });
      return pending;
    },
    forget() {
      cached = undefined;
    },
  };
}

/** The incident a message is about, from its Statuspage-shaped event, when it is about one. */
export function incidentIdOf(message: Message): string | undefined {
  const incident = message.event?.incident as { id?: unknown } | undefined;
  return typeof incident?.id === 'string' ? incident.id : undefined;
}

/** The title and body a phone shows, the same for every mobile push provider. */
export function mobileAlert(message: Message): { title: string; body: string } {
  return {
    title: `${message.drill ? '[DRILL] ' : ''}${message.title}`.slice(0, 200),
    body: message.text.slice(0, 1000),
  };
}

/** Whether an FCM error answer says the token is no longer registered. */
function unregistered(body: string): boolean {
  return /"(errorCode|status)"\s*:\s*"UNREGISTERED"/.test(body);
}

export const fcm = defineChannel({
  type: 'fcm',
  kind: 'push',
  variant: null,
  maxLength: 1000,
  reach: { subscribers: ['fcm'] },
  settings: {
    service_account: Secret.describe(
      'A secret: the service account key file (JSON) as env:NAME; its client_email, private_key and token_uri are used.',
    ),
    project_id: z
      .string()
      .min(1)
      .optional()
      .describe('The Firebase project; the service account’s by default.'),
    base_url: z
      .url({ protocol: /^https?$/ })
      .default('https://fcm.googleapis.com')
      .describe('The FCM API’s address (a stand-in’s in tests).'),
  },
  secrets: ['service_account'],
  lane: () => ({ concurrency: 32, maxAttempts: 6, retryBaseMs: 5_000, updates: 'all' }),
  create(name, settings, deps) {
    const client = createHttpClient({
      allowPrivateNetwork: deps.allowPrivateNetwork,
      timeoutMs: settings.timeout_ms ?? 10_000,
    });
    const account = serviceAccountOf(settings.service_account);
    const tokens = typeof account === 'string' ? undefined : accessTokens(account, client);
    const project = settings.project_id ?? (typeof account === 'string' ? undefined : account.project_id);
    const url = `${settings.base_url.replace(/\/$/, '')}/v1/projects/${encodeURIComponent(project ?? '')}/messages:send`;
    return {
      name,
      type: 'fcm',
      async send(target, message): Promise<SendResult> {
        if (typeof account === 'string' || !tokens)
          return { ok: false, retry: false, reason: account as string };
        if (!project)
          return { ok: false, retry: false, reason: 'no project_id in the settings or the service account' };
        const incidentId = incidentIdOf(message);
        const link = message.url ?? message.confirmUrl;
        const body = JSON.stringify({
          message: {
            token: target.contact,
            notification: mobileAlert(message),
            data: { ...(incidentId && { incident_id: incidentId }), ...(link && { url: link }) },
          },
        });
        try {
          const token = await tokens.get();
          if (typeof token !== 'string') return token;
          const response = await client.post(url, body, {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json; charset=utf-8',
          });
          if (response.status === 200) {
            const sent = answerOf(z.object({ name: z.string() }), response.body);
            return { ok: true, ...(sent && { providerId: sent.name }) };
          }
          if (response.status === 401) tokens.forget();
          const failure = httpFailure(response.status, response.body, header(response, 'retry-after'));
          if (response.status === 401 && !failure.ok) return { ...failure, retry: true };
          return (response.status === 404 || response.status === 400) &&
            unregistered(response.body) &&
            !failure.ok
            ? { ...failure, retry: false, gone: true }
            : failure;
        } catch (err) {
          return networkFailure(err);
        }
      },
      close: () => client.close(),
    };
  },
});
