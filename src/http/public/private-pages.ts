/**
 * An audience's private page under `/a/AUDIENCE/…`: the page, its history
 * and incidents, its feeds and /api/v2 documents, and its live events. The
 * files are rendered on change and held in memory like the public page's
 * (src/statuspage/cache.ts); what differs is the door. Each request is let
 * in by the reader's page cookie (set from a subscriber's signed link), the
 * console's session, an allowed network, or, for feeds and documents, the
 * audience's token (services/pages/access.ts). Nothing here is cached
 * publicly or indexed.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CrierError } from '../../domain/errors.ts';
import { escapeHtml } from '../../domain/html.ts';
import { pageLanguageOf } from '../../domain/reader-language.ts';
import { pageAccess, privatePage } from '../../services/pages/access.ts';
import { openPageLink, PAGE_LINK_DAYS } from '../../services/pages/links.ts';
import type { BaseCtx } from '../auth.ts';
import { sendError } from '../errors.ts';
import { sessionSecret } from '../session.ts';
import type { PrivateLiveEvents } from './events.ts';
import type { PublicPage } from './page.ts';
import { readerLanguage } from './reader.ts';
import { pageReplier } from './subscribe-pages.ts';

export interface PrivatePageDeps extends BaseCtx {
  statusPage: PublicPage;
  events: PrivateLiveEvents;
}

const audienceName = /^[a-z][a-z0-9_-]{0,62}$/;
/** Feeds and documents: what feed readers and scripts fetch with the audience's token. */
const documentPath = /^\/(api\/v2\/.+\.json|history\.atom|history\.rss|maintenances\.ics)$/;

const cookieName = (audience: string) => `crier_page_${audience}`;

interface PageRoute {
  Params: { audience: string; '*'?: string };
  Querystring: Record<string, unknown>;
}

function single(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 && value.length <= 300 ? value : null;
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  return typeof header === 'string' && header.startsWith('Bearer ') ? single(header.slice(7).trim()) : null;
}

export function privatePageRoutes(deps: PrivatePageDeps): FastifyPluginAsync {
  return async (app) => {
    const reply = pageReplier((title, main, language) => deps.statusPage.shell(title, main, language));
    const chooseLanguage = readerLanguage(deps.db);
    /** A page that keeps the reader out, in their language; the page it guards is not named beyond its address. */
    const refuse = async (
      request: FastifyRequest<PageRoute>,
      r: FastifyReply,
      status: number,
      why: 'closed' | 'expired',
    ) => {
      const language = await chooseLanguage(request.query.lang, request.headers['accept-language']);
      const t = deps.statusPage.words(language);
      const body =
        why === 'closed'
          ? `<p>${escapeHtml(t('private.closed'))}</p><p><a href="/console">${escapeHtml(t('private.signin'))}</a></p>`
          : `<p>${escapeHtml(t('private.expired'))}</p>`;
      return reply(
        r.header('x-robots-tag', 'noindex, nofollow'),
        status,
        t(`private.${why}.title`),
        body,
        language,
      );
    };

    const setPageCookie = (r: FastifyReply, audience: string, value: string) => {
      r.raw.setHeader(
        'set-cookie',
        app.serializeCookie(cookieName(audience), value, {
          path: `/a/${audience}`,
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.config.publicUrl.startsWith('https:'),
          maxAge: PAGE_LINK_DAYS * 86_400,
        }),
      );
    };

    const handler = async (request: FastifyRequest<PageRoute>, r: FastifyReply) => {
      const audience = request.params.audience;
      const path = `/${request.params['*'] ?? ''}`;
      const page = audienceName.test(audience) ? await privatePage(deps.db, audience) : null;
      if (page === null) {
        return sendError(
          request,
          r,
          new CrierError('not_found', 'There is no private page at this address.'),
        );
      }
      const now = deps.clock.now();
      const query = request.query;
      const link = single(query.k);
      if (link !== null) {
        // The link's token moves into the page's cookie, and out of the address bar and history.
        const opened = page.links ? await openPageLink(deps.db, audience, link, now) : null;
        if (opened === null) {
          return refuse(request, r, 403, 'expired');
        }
        setPageCookie(r, audience, link);
        // A language the link states (`&lang=fr`) stays in the address; the token does not.
        const lang = pageLanguageOf(single(query.lang));
        return r
          .code(303)
          .header('location', `/a/${audience}${path}${lang ? `?lang=${lang}` : ''}`)
          .header('referrer-policy', 'no-referrer')
          .header('cache-control', 'no-store')
          .send();
      }
      const document = documentPath.test(path);
      const access = await pageAccess(
        deps.db,
        audience,
        page,
        {
          cookie: single(request.cookies[cookieName(audience)]),
          session: sessionSecret(request, deps.config),
          token: single(query.token) ?? bearer(request),
          address: request.ip,
        },
        now,
        { document },
      );
      if (!access.ok) {
        if (document) {
          return sendError(
            request,
            r,
            new CrierError('unauthenticated', 'This feed needs the token its private page links it with.'),
          );
        }
        return refuse(request, r, 403, 'closed');
      }
      if (access.renewed) setPageCookie(r, audience, access.renewed.value);
      if (path === '/events') {
        if (request.method === 'HEAD')
          return r.header('content-type', 'text/event-stream; charset=utf-8').send();
        r.hijack();
        deps.events.of(audience).attach(r.raw, request.ip);
        return r;
      }
      r.hijack();
      deps.statusPage.servePrivate(audience, path, request.raw, r.raw);
      return r;
    };
    app.get<PageRoute>('/a/:audience', handler);
    app.get<PageRoute>('/a/:audience/*', handler);
    app.addHook('onClose', async () => deps.events.close());
  };
}
