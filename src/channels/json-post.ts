/** The shared shape of channels that POST JSON to a user-supplied URL through the guarded client. */
import { z } from 'zod';
import { answerOf, createHttpClient, header } from './http-client.ts';
import type { Channel, ChannelDeps, Message, SendResult, Target } from './types.ts';
import { httpFailure, networkFailure } from './types.ts';

export interface JsonPostOptions {
  name: string;
  type: string;
  deps: ChannelDeps;
  timeoutMs?: number;
  concurrency?: number;
  /** The request's body; a string is taken as JSON already serialized and sent as it is. */
  body(message: Message, target: Target): unknown;
  /** Extra headers for one request (signatures). */
  headers?(body: string, message: Message, target: Target): Record<string, string>;
  /** Whether a 2xx answer carries a provider id worth keeping. */
  providerId?(
    responseBody: string,
    responseHeaders: Record<string, string | string[] | undefined>,
  ): string | undefined;
}

export function jsonPostChannel(options: JsonPostOptions): Channel {
  const client = createHttpClient({
    allowPrivateNetwork: options.deps.allowPrivateNetwork,
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: options.concurrency ?? 16,
  });
  return {
    name: options.name,
    type: options.type,
    async send(target, message): Promise<SendResult> {
      const value = options.body(message, target);
      const body = typeof value === 'string' ? value : JSON.stringify(value);
      try {
        const response = await client.post(
          target.contact,
          body,
          {
            'content-type': 'application/json',
            'user-agent': options.deps.userAgent,
            ...options.headers?.(body, message, target),
          },
          { successBody: options.providerId !== undefined || message.challenge !== undefined },
        );
        if (response.status >= 200 && response.status < 300) {
          if (message.challenge !== undefined && !echoes(response.body, message.challenge)) {
            return {
              ok: false,
              retry: false,
              reason: `HTTP ${response.status} without the challenge: the receiver must answer with it (docs/channels.md, verification)`,
            };
          }
          const providerId = options.providerId?.(response.body, response.headers);
          return { ok: true, ...(providerId !== undefined && { providerId }) };
        }
        return httpFailure(response.status, response.body, header(response, 'retry-after'));
      } catch (err) {
        return networkFailure(err);
      }
    },
    close: () => client.close(),
  };
}

/**
 * Whether an answer echoes a challenge: as the whole body (text), or as `challenge` in a JSON
 * object. The request itself reflected back (an echo service) does not count.
 */
const ChallengeAnswer = z.looseObject({
  challenge: z.unknown().optional(),
  subscription: z.unknown().optional(),
});

function echoes(body: string, challenge: string): boolean {
  const text = body.trim();
  if (text === challenge) return true;
  const answer = answerOf(ChallengeAnswer, text);
  return answer !== undefined && answer.challenge === challenge && answer.subscription === undefined;
}

/** Text with its links, for chat bodies that take plain text. */
export function footerLinks(message: Message, link: (url: string, text: string) => string): string {
  const parts: string[] = [];
  if (message.url) parts.push(link(message.url, 'View details'));
  if (message.confirmUrl) parts.push(link(message.confirmUrl, 'Confirm'));
  if (message.feedbackUrl) parts.push(link(message.feedbackUrl, 'Was this update helpful?'));
  if (message.manageUrl) parts.push(link(message.manageUrl, 'Unsubscribe'));
  return parts.join(' · ');
}

export const impactColours: Record<string, string> = {
  none: '#2fcc66',
  minor: '#f1c40f',
  major: '#e67e22',
  critical: '#e74c3c',
  maintenance: '#3498db',
};
