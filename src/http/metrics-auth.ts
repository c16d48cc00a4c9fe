/**
 * `/metrics` behind a token (CRIER_METRICS_TOKEN), for `crier serve` and
 * the worker's metrics port alike: Prometheus sends it as
 * `Authorization: Bearer <token>` (`authorization: { credentials: … }` in a
 * scrape config). Without the variable, /metrics stays open, as before.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CrierError } from '../domain/errors.ts';
import { sendError } from './errors.ts';
import { metricsAuthorized, metricsChallenge } from './metrics-token.ts';

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
