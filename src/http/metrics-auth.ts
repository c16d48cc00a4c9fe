/**
 * `/metrics` behind a token (CRIER_METRICS_TOKEN), for `crier serve` and
 * the worker's metrics port alike: Prometheus sends it as
 * `Authorization: Bearer <token>` (`authorization: { credentials: … }` in a
 * scrape config). Without the variable, /metrics stays open, as before.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CrierError } from '../domain/errors.ts';
import { sendError } from './errors.ts';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Whether an Authorization header carries the metrics token; always true when none is configured. */
export function metricsAuthorized(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  // Digests have one length, so the comparison says nothing about the token's.
  return given !== undefined && timingSafeEqual(digest(given), digest(token));
}

export const metricsChallenge = 'Bearer realm="metrics"';

/** A Fastify onRequest hook for the scope that holds /metrics. */
export function requireMetricsToken(token: string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (metricsAuthorized(request.headers.authorization, token)) return;
    reply.header('www-authenticate', metricsChallenge);
    return sendError(
      request,
      reply,
      new CrierError('unauthenticated', 'Send the metrics token as "Authorization: Bearer <token>".'),
    );
  };
}
