/** The HTTP server: admin API, health, the public routes and the ingest routes. */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type RouteOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { tracing } from '../channels/tracing.ts';
import { DeliveryMetrics } from '../delivery/metrics.ts';
import type { Delivery } from '../delivery/wiring.ts';
import { CrierError } from '../domain/errors.ts';
import { htmlSecurityHeaders } from '../domain/security-headers.ts';
import { componentRoutes } from './admin/components.ts';
import { drillRoutes } from './admin/drills.ts';
import { feedbackRoutes } from './admin/feedback.ts';
import { incidentRoutes } from './admin/incidents.ts';
import { ingestKeyRoutes } from './admin/ingest-keys.ts';
import { maintenanceRoutes } from './admin/maintenances.ts';
import { personRoutes } from './admin/person.ts';
import { planRoutes } from './admin/plan.ts';
import { reviewRoutes } from './admin/review.ts';
import { runbookRoutes } from './admin/runbooks.ts';
import { subscriberRoutes } from './admin/subscribers.ts';
import { suppressionRoutes } from './admin/suppressions.ts';
import { tokenRoutes } from './admin/tokens.ts';
import { updateRoutes } from './admin/updates.ts';
import { userRoutes } from './admin/users.ts';
import { type BaseCtx, registerAuth } from './auth.ts';
import { capSocketsPerAddress, trustedPeer } from './connection-limits.ts';
import type { ConsoleEvents } from './console/live.ts';
import { consoleRoutes } from './console/routes.ts';
import { sendError } from './errors.ts';
import { healthRoutes } from './health.ts';
import { metricsRoutes, metricsSource } from './metrics.ts';
import { requireMetricsToken } from './metrics-auth.ts';
import { ADMIN_PREFIX, swaggerOptions } from './openapi.ts';
import { feedbackPageRoutes } from './public/feedback.ts';
import { privatePageRoutes } from './public/private-pages.ts';
import { type PublicDeps, publicRoutes } from './public/routes.ts';
import { subscribeRoutes } from './public/subscribe.ts';
import { webhookDocsRoutes } from './public/webhook-docs.ts';
import { redactUrl } from './redact.ts';
import { HTTP_TIMEOUTS } from './timeouts.ts';
import { traceRequests } from './tracing.ts';

export { ADMIN_PREFIX };

export interface ServerDeps extends BaseCtx {
  log: Logger;
  /** The status page's render cache and live events. */
  public: PublicDeps;
  /** Channels, metrics and the worker (src/delivery/wiring.ts); without it nothing can be subscribed to. */
  delivery?: Delivery;
  /** What open consoles hear (/console/events); without it the console does not update live. */
  consoleEvents?: ConsoleEvents;
  /** `POST /ingest/:source/:key` (src/ingest/routes.ts), handed over by the composition root. */
  ingest?: FastifyPluginAsync;
  /** `POST /chatops/:channel/command|interaction` (src/ingest/chatops.ts), handed over by the composition root. */
  chatops?: FastifyPluginAsync;
  /** Sockets held at once, in total and per client address (src/http/connection-limits.ts). */
  connections?: { maxConnections: number; maxConnectionsPerAddress: number };
}

interface RouteEntry {
  method: string;
  url: string;
  action: string | undefined;
  hasBody: boolean;
}

/** Routes are collected as they register, so tests can walk every one of them. */
export type CrierServer = FastifyInstance & { adminRoutes: RouteEntry[]; routes: RouteEntry[] };

const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

export async function buildServer(deps: ServerDeps): Promise<CrierServer> {
  const hops = deps.config.trustProxy;
  // A plan applied here is answered once this process's channels run on it.
  const takeUpPlan = async () => {
    await deps.delivery?.reload();
  };
  const app = Fastify({
    loggerInstance: deps.log,
    bodyLimit: 1024 * 1024,
    trustProxy: typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : hops,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    // The status page's fast path: GET/HEAD of a rendered public path is answered from
    // memory before routing, hooks and request logging, so a traffic spike costs what a
    // bare Node.js server would. Everything else goes through Fastify as usual.
    // The timeouts cut off slow and idle clients (slowloris) before they pile up.
    serverFactory: (handler) => {
      const server = http.createServer(HTTP_TIMEOUTS, (req, res) => {
        if (!deps.public.statusPage.serve(req, res)) handler(req, res);
      });
      if (deps.connections) {
        server.maxConnections = deps.connections.maxConnections;
        capSocketsPerAddress(
          server,
          deps.connections.maxConnectionsPerAddress,
          trustedPeer(deps.config.trustProxy),
        );
      }
      return server;
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routes: RouteEntry[] = [];
  const adminRoutes: RouteEntry[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      const entry = {
        method,
        url: route.url,
        action: route.config?.action,
        hasBody: Boolean(route.schema?.body),
      };
      routes.push(entry);
      if (route.url.startsWith(ADMIN_PREFIX) && route.url !== `${ADMIN_PREFIX}/openapi.json`)
        adminRoutes.push(entry);
    }
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', String(request.id));
    reply.header('x-content-type-options', 'nosniff');
    // HTML from routes (the subscribe pages) carries what the status page's cached HTML does.
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      for (const [name, value] of Object.entries(htmlSecurityHeaders))
        if (!reply.hasHeader(name)) reply.header(name, value);
    }
  });
  app.setErrorHandler((err, request, reply) => sendError(request, reply, err));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new CrierError(
        'route_not_found',
        `No route ${request.method} ${redactUrl(request.url.split('?')[0] ?? '')}.`,
      ),
    ),
  );

  await app.register(cookie);
  await app.register(swagger, swaggerOptions());

  await app.register(
    async (admin) => {
      if (tracing()) traceRequests(admin);
      admin.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await admin.register(async (secured) => {
        registerAuth(secured, deps);
        // The admin API reads JSON (and CSV where a route says so); plain text is refused with 415.
        secured.removeContentTypeParser('text/plain');
        await secured.register(componentRoutes);
        await secured.register(incidentRoutes);
        await secured.register(drillRoutes);
        await secured.register(reviewRoutes);
        await secured.register(feedbackRoutes);
        await secured.register(maintenanceRoutes);
        await secured.register(tokenRoutes);
        await secured.register(ingestKeyRoutes);
        await secured.register(runbookRoutes);
        await secured.register(userRoutes);
        await secured.register(planRoutes(takeUpPlan));
        await secured.register(updateRoutes);
        await secured.register(
          subscriberRoutes((audience) => deps.delivery?.offeredFor(audience) ?? new Set()),
        );
        await secured.register(suppressionRoutes);
        await secured.register(personRoutes);
      });
    },
    { prefix: ADMIN_PREFIX },
  );

  await app.register(consoleRoutes(deps, deps.consoleEvents, takeUpPlan));
  await app.register(healthRoutes(deps, { informational: deps.public.checks }));
  await app.register(publicRoutes(deps.public));
  if (deps.public.privateEvents) {
    await app.register(
      privatePageRoutes({
        db: deps.db,
        clock: deps.clock,
        log: deps.log,
        config: deps.config,
        changes: deps.changes,
        statusPage: deps.public.statusPage,
        events: deps.public.privateEvents,
      }),
    );
  }
  await app.register(
    subscribeRoutes({
      ...deps,
      offered: () => deps.delivery?.offered ?? new Set(),
      shell: (title, main, language) => deps.public.statusPage.shell(title, main, language),
      words: (language) => deps.public.statusPage.words(language),
      pageName: () => deps.public.statusPage.name ?? deps.config.page.name,
      twilioTokens: () => deps.delivery?.inboundSigningKeys ?? [],
      vapidPublicKey: () => deps.delivery?.pushPublicKey,
    }),
  );
  await app.register(
    feedbackPageRoutes({
      ...deps,
      shell: (title, main, language) => deps.public.statusPage.shell(title, main, language),
      words: (language) => deps.public.statusPage.words(language),
    }),
  );
  if (deps.ingest) await app.register(deps.ingest);
  if (deps.chatops) await app.register(deps.chatops);
  await app.register(webhookDocsRoutes((title, main) => deps.public.statusPage.shell(title, main)));
  const noMetrics = new DeliveryMetrics();
  // Its own scope, so the token check (CRIER_METRICS_TOKEN) guards /metrics and nothing else.
  await app.register(async (scope) => {
    scope.addHook('onRequest', requireMetricsToken(deps.config.metricsToken));
    await scope.register(
      metricsRoutes(
        metricsSource(
          () => deps.db,
          () => deps.delivery?.metrics ?? noMetrics,
          () => deps.clock.now(),
          deps.public.metrics ?? [],
        ),
      ),
    );
  });

  return Object.assign(app, { adminRoutes, routes }) as unknown as CrierServer;
}
