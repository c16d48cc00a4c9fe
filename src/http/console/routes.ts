/**
 * The console at /console: server-rendered pages and forms, no script
 * (docs/adr/0013-console-server-rendered.md). Pages behind sign-in resolve
 * the session first; a page asked for without one sends the browser to the
 * sign-in page, saying why when a session has ended.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import { assertCan } from '../../domain/permissions.ts';
import { resolveSession, signOutEverywhere } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { httpStatusOf, toCrierError } from '../errors.ts';
import { assertSameOrigin, clearSessionCookie, sessionSecret } from '../session.ts';
import { auditRoutes } from './audit-screen.ts';
import { componentRoutes } from './components-screen.ts';
import { html } from './html.ts';
import { incidentRoutes } from './incidents.ts';
import type { ConsoleEvents } from './live.ts';
import { maintenanceRoutes } from './maintenances-screen.ts';
import { personCtx, sendPage } from './page.ts';
import { peopleRoutes } from './people-screen.ts';
import { planRoutes } from './plan-screen.ts';
import { previewRoutes } from './previews.ts';
import { reportRoutes } from './report-screen.ts';
import { resetRoutes } from './reset.ts';
import { reviewRoutes } from './review-screen.ts';
import { consoleJs } from './script.ts';
import { signInRoutes } from './sign-in.ts';
import { ssoRoutes } from './sso.ts';
import { consoleCss } from './style.ts';
import { subscriberRoutes } from './subscribers-screen.ts';
import { suppressionRoutes } from './suppressions-screen.ts';

type EventsQuery = { Querystring: { incident?: string; progress?: string } };

export function consoleRoutes(base: BaseCtx, events?: ConsoleEvents, takeUpPlan?: () => Promise<void>) {
  return async (app: FastifyInstance) => {
    // Forms only, and small: the console posts nothing else (other types: 415).
    app.removeAllContentTypeParsers();
    await app.register(formbody, { bodyLimit: 64 * 1024 });
    // Errors as a page, not JSON: what went wrong, and a way back.
    app.setErrorHandler((err, req, reply) => {
      const known = toCrierError(err);
      const status = httpStatusOf[known.code];
      if (status >= 500) req.log.error({ err }, 'console request failed');
      return sendPage(reply, status, {
        title: 'Something went wrong',
        user: req.consoleUser ?? undefined,
        notice: {
          kind: 'error',
          text: status >= 500 ? 'Crier could not do that; try again.' : known.message,
        },
        main: html`<p><a href="/console">Back to the console</a></p>`,
      });
    });
    app.get('/console/console.css', async (_req, reply) =>
      reply.header('cache-control', 'public, max-age=300').type('text/css; charset=utf-8').send(consoleCss),
    );
    app.get('/console/console.js', async (_req, reply) =>
      reply
        .header('cache-control', 'public, max-age=300')
        .type('text/javascript; charset=utf-8')
        .send(consoleJs),
    );
    // The live stream answers 401 rather than a redirect: the script tells "session ended" from "unreachable".
    app.get<EventsQuery>('/console/events', async (req, reply) => {
      const secret = sessionSecret(req, base.config);
      const user = secret === null ? null : await resolveSession(base.db, secret, base.clock.now());
      if (user === null) return reply.code(401).type('text/plain; charset=utf-8').send('Sign in again.\n');
      if (events === undefined)
        return reply.code(404).type('text/plain; charset=utf-8').send('No live stream.\n');
      if (req.method === 'HEAD') return reply.type('text/event-stream; charset=utf-8').send();
      const { incident, progress } = req.query;
      const follow =
        typeof incident === 'string' && /^[\w-]{1,64}$/.test(incident)
          ? { incident, ...(typeof progress === 'string' && progress.length <= 4096 && { progress }) }
          : undefined;
      reply.hijack();
      events.attach(reply.raw, req.ip, follow);
    });
    await app.register(signInRoutes(base));
    await app.register(resetRoutes(base));
    await app.register(ssoRoutes(base));

    await app.register(async (signedIn) => {
      signedIn.decorateRequest('consoleUser', null);
      // After the body is read, so an oversized or foreign body is refused (413, 415) before anything else.
      signedIn.addHook('preValidation', async (req, reply) => {
        const secret = sessionSecret(req, base.config);
        const user = secret === null ? null : await resolveSession(base.db, secret, base.clock.now());
        if (user === null) {
          if (secret !== null) clearSessionCookie(reply, base.config);
          const to = secret === null ? '/console/sign-in' : '/console/sign-in?ended=1';
          return reply.redirect(to, 303);
        }
        assertSameOrigin(req, base.config);
        assertCan(user.role, 'read');
        req.consoleUser = user;
      });

      await signedIn.register(incidentRoutes(base));
      await signedIn.register(previewRoutes(base));
      await signedIn.register(componentRoutes(base));
      await signedIn.register(maintenanceRoutes(base));
      await signedIn.register(subscriberRoutes(base));
      await signedIn.register(auditRoutes(base));
      await signedIn.register(peopleRoutes(base));
      await signedIn.register(planRoutes(base, takeUpPlan));
      await signedIn.register(reviewRoutes(base));
      await signedIn.register(reportRoutes(base));
      await signedIn.register(suppressionRoutes(base));

      signedIn.post('/console/sign-out-everywhere', async (req, reply) => {
        await signOutEverywhere(personCtx(base, req));
        clearSessionCookie(reply, base.config);
        return reply.redirect('/console/sign-in', 303);
      });
    });
  };
}
