/**
 * Public routes: the status page, the Statuspage-compatible /api/v2, feeds,
 * badges, the embed and the live events. Everything but /events is answered
 * from the render cache in memory (src/statuspage/cache.ts); the server also
 * answers these paths before routing (the `serverFactory` in server.ts), and these
 * routes are the same answer for requests that come through the router.
 * Subscribe, confirm and unsubscribe live in their own route file.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { pageLanguages } from '../../domain/languages.ts';
import type { LiveEvents, PrivateLiveEvents } from './events.ts';
import type { PublicPage } from './page.ts';

export interface PublicDeps {
  statusPage: PublicPage;
  liveEvents: LiveEvents;
  /** The private pages' live streams; without it no private page is served. */
  privateEvents?: PrivateLiveEvents;
  /** The status page's and its exports' health, for /readyz. */
  checks?: () => Record<string, string>;
  /** The status page's and the live streams' metrics, for /metrics to merge. */
  metrics?: readonly Registry[];
}

const cachedPaths = [
  '/',
  '/history',
  '/incidents/:id',
  '/api/v2/summary.json',
  '/api/v2/status.json',
  '/api/v2/components.json',
  '/api/v2/incidents.json',
  '/api/v2/incidents/unresolved.json',
  '/api/v2/scheduled-maintenances.json',
  '/api/v2/scheduled-maintenances/upcoming.json',
  '/api/v2/scheduled-maintenances/active.json',
  '/history.atom',
  '/history.rss',
  '/maintenances.ics',
  '/badge.svg',
  '/badge/:file',
  '/embed.js',
  '/assets/:file',
  // The page in each language (the plan's default one is also at the root).
  ...pageLanguages.flatMap((l) => [`/${l}`, `/${l}/history`, `/${l}/incidents/:id`]),
];

export function publicRoutes(deps: PublicDeps): FastifyPluginAsync {
  return async (app) => {
    const fromCache = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      deps.statusPage.serveOrNotFound(req.raw, reply.raw);
    };
    for (const url of cachedPaths) app.get(url, fromCache);

    // Browsers preflight cross-origin requests that carry custom headers; the API is public.
    app.options('/api/v2/*', async (_req, reply) =>
      reply
        .code(204)
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
        .header('access-control-allow-headers', 'if-none-match, cache-control, content-type')
        .header('access-control-max-age', '86400')
        .send(),
    );

    app.get('/events', async (req, reply) => {
      if (req.method === 'HEAD') {
        return reply
          .header('content-type', 'text/event-stream; charset=utf-8')
          .header('access-control-allow-origin', '*')
          .send();
      }
      reply.hijack();
      // req.ip follows CRIER_TRUST_PROXY, as the rate limits and the audit log do.
      deps.liveEvents.attach(reply.raw, req.ip);
    });
  };
}
