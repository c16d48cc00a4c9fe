/**
 * The metrics token's check (CRIER_METRICS_TOKEN), without Fastify: `crier serve`'s hook
 * (metrics-auth.ts) and `crier worker`'s plain metrics port (worker-http.ts) both ask it.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries the metrics token; always true when none is configured. */
export function metricsAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  // Digests have one length, so the comparison says nothing about the token's.
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

export const metricsChallenge = 'Bearer realm="metrics"';
