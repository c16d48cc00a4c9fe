/**
 * Secrets that travel in a path, kept out of logs and error messages.
 */

/** Paths whose last segment is a secret (confirm, unsubscribe, feedback and ingest tokens). */
const secretPath = /^(\/(?:confirm|unsubscribe|manage|feedback|f|ingest\/[^/?]+))\/[^/?]+/;

/** Query parameters that carry a secret: a private page's link (`k`) and its feed token. */
const secretQuery = /([?&](?:k|token)=)[^&#]*/g;

/** The URL with a secret path segment or query value replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(secretPath, '$1/[redacted]').replace(secretQuery, '$1[redacted]');
}
