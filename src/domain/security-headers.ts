/**
 * The headers every HTML answer carries, whether the status page's fast
 * path sends it from memory (src/statuspage/entries.ts) or a route sends
 * it through Fastify (the subscribe pages): a Content-Security-Policy that
 * allows only Crier's own script, stylesheet and connections (no inline
 * script or style: the page's colours are in its stylesheet), no framing
 * by any site, no MIME sniffing, and a referrer policy. Nothing Crier
 * serves is meant to be framed: the embed is a script and the badge an
 * image, both served to every origin (docs/adr/0009-security-headers.md).
 */

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' https: data:",
  "style-src 'self'",
  "script-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** For pages: the origin only, and only to secure destinations; token pages say no-referrer. */
const REFERRER_POLICY = 'strict-origin-when-cross-origin';

export const htmlSecurityHeaders: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': REFERRER_POLICY,
};
