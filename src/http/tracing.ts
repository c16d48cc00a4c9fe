/**
 * A server span for each request to the admin API when traces are on (docs/adr/0026-traces.md):
 * `POST /api/v1/incidents`, a child of the caller's `traceparent` if it sent one, active while the
 * handler runs so the verb, its transaction and the jobs it queues join the same trace. Only the
 * routes it is registered on get the hooks: the public page answers from memory untraced.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type OpenSpan, openSpan, parentFrom, runInside } from '../channels/tracing.ts';

export function traceRequests(scope: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, OpenSpan>();
  const end = (request: FastifyRequest, status: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (status !== undefined) span.set({ 'http.response.status_code': status });
    span.end(status === undefined ? 'request aborted' : status >= 500 ? `status ${status}` : undefined);
  };
  scope.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
    const header = request.headers.traceparent;
    const span = openSpan(`${request.method} ${route}`, {
      role: 'server',
      parent: parentFrom(typeof header === 'string' ? header : undefined),
      attributes: {
        'http.request.method': request.method,
        'http.route': route,
        'url.path': request.url.split('?')[0] ?? '',
        'crier.request_id': request.id,
      },
    });
    if (span) spans.set(request, span);
    done();
  });
  // After the body is read: the handler, and everything it awaits, runs inside the span.
  scope.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (span) runInside(span.context, done);
    else done();
  });
  scope.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  scope.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
}
