/**
 * The timeouts every Crier HTTP server sets, in a file of their own so that `crier worker`'s
 * metrics port (worker-http.ts) takes them without the API server's libraries.
 *
 * Slow and idle clients are cut off: a client has this long to send its
 * request headers (slowloris), this long for the whole request, and an idle
 * keep-alive connection is closed after this long. Long-held responses
 * (/events) are not affected: these count the request, not the answer.
 */
export const HTTP_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 60_000,
  keepAliveTimeout: 5_000,
  /** How often Node.js checks for the two above (its default, 30 s, lets slow clients linger). */
  connectionsCheckingInterval: 2_000,
} as const;
