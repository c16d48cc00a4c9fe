/**
 * Secrets that travel in a path, kept out of logs and error messages.
 */

/** Paths whose last segment is a secret (confirm, unsubscribe, feedback and ingest tokens). */
const secretPath = /^(\/(?:confirm|unsubscribe|manage|feedback|ingest\/[^/?]+))\/[^/?]+/;

/** The URL with a secret path segment replaced by `[redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(secretPath, '$1/[redacted]');
}
