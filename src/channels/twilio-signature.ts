/**
 * Twilio's request signature (X-Twilio-Signature), on every webhook Twilio
 * sends: inbound messages and delivery status callbacks. Base64 HMAC-SHA1,
 * keyed by the auth token, of the full URL Twilio was given followed by
 * every POST parameter's name and value, sorted by name.
 * https://www.twilio.com/docs/usage/webhooks/webhooks-security
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function twilioSignature(token: string, url: string, params: URLSearchParams): string {
  const data = [...params.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .reduce((acc, [k, v]) => acc + k + v, url);
  return createHmac('sha1', token).update(data, 'utf8').digest('base64');
}

/** Whether any of the configured auth tokens signed this request. */
export function verifyTwilio(
  tokens: readonly string[],
  url: string,
  params: URLSearchParams,
  given: string,
): boolean {
  const provided = Buffer.from(given);
  return tokens.some((token) => {
    const expected = Buffer.from(twilioSignature(token, url, params));
    return expected.length === provided.length && timingSafeEqual(expected, provided);
  });
}
