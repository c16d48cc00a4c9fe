/**
 * The console's doors: sign in, set a password from an invitation, sign
 * out, sign out everywhere. Forms post back to the same origin; every POST
 * is checked against CSRF, the sign-in too (so no other site can sign a
 * browser in as someone else).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ZodError } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { minPasswordLength } from '../../services/users/password.ts';
import { resolveSession, sessionActor, signIn, signOut } from '../../services/users/sessions.ts';
import { singleSignOn } from '../../services/users/single-sign-on.ts';
import { acceptInvitation, findInvitation } from '../../services/users/users.ts';
import type { BaseCtx } from '../auth.ts';
import { assertSameOrigin, clearSessionCookie, sessionSecret, setSessionCookie } from '../session.ts';
import { html, type Page } from './html.ts';
import { anonymousCtx, field, sendPage } from './page.ts';

function signInForm(sso: boolean, email = ''): Page['main'] {
  return html`<h1>Sign in</h1>
${sso && html`<p><a class="button" href="/console/sso">Sign in with single sign-on</a></p><p class="muted">Or with your password:</p>`}
<form class="stack" method="post" action="/console/sign-in">
<label>Email <input type="email" name="email" autocomplete="username" required value="${email}"></label>
<label>Password <input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>
<p><a href="/console/reset">Forgot your password?</a></p>`;
}

function passwordForm(secret: string, email: string): Page['main'] {
  return html`<h1>Set your password</h1>
<p>For <strong>${email}</strong>. At least ${minPasswordLength} characters.</p>
<form class="stack" method="post" action="/console/invitation/${encodeURIComponent(secret)}">
<input type="hidden" name="username" value="${email}" autocomplete="username">
<label>New password <input type="password" name="password" autocomplete="new-password" required minlength="${minPasswordLength}"></label>
<label>The same again <input type="password" name="confirm" autocomplete="new-password" required minlength="${minPasswordLength}"></label>
<button type="submit">Set password</button>
</form>`;
}

export function signInRoutes(base: BaseCtx) {
  // Offered when the environment or the plan in force configures it (src/services/users/single-sign-on.ts).
  // A database that cannot answer leaves the password form alone on the page, not an error.
  const ssoOffered = async () => (await singleSignOn(base).catch(() => null)) !== null;
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: { ended?: string } }>('/console/sign-in', async (req, reply) =>
      sendPage(reply, 200, {
        title: 'Sign in',
        main: signInForm(await ssoOffered()),
        notice:
          req.query.ended === undefined
            ? undefined
            : {
                kind: 'error',
                text: 'Your session has ended (signed out, or unused too long). Sign in again.',
              },
      }),
    );

    app.post('/console/sign-in', async (req, reply) => {
      assertSameOrigin(req, base.config);
      const email = field(req.body, 'email');
      try {
        const session = await signIn(anonymousCtx(base, req), {
          email,
          password: field(req.body, 'password'),
          address: req.ip,
        });
        setSessionCookie(reply, base.config, session.secret);
        return reply.redirect('/console', 303);
      } catch (err) {
        if (!(err instanceof CrierError)) throw err;
        if (err.code === 'rate_limited') reply.header('retry-after', '900');
        const status = err.code === 'rate_limited' ? 429 : 401;
        return sendPage(reply, status, {
          title: 'Sign in',
          main: signInForm(await ssoOffered(), email),
          notice: { kind: 'error', text: err.message },
        });
      }
    });

    app.get<{ Params: { secret: string } }>('/console/invitation/:secret', async (req, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      const invited = await findInvitation(base.db, req.params.secret, base.clock.now());
      if (!invited) return invitationGone(reply);
      return sendPage(reply, 200, {
        title: 'Set your password',
        main: passwordForm(req.params.secret, invited.email),
      });
    });

    app.post<{ Params: { secret: string } }>('/console/invitation/:secret', async (req, reply) => {
      assertSameOrigin(req, base.config);
      reply.header('referrer-policy', 'no-referrer');
      const { secret } = req.params;
      const invited = await findInvitation(base.db, secret, base.clock.now());
      if (!invited) return invitationGone(reply);
      const password = field(req.body, 'password');
      const again = (text: string) =>
        sendPage(reply, 400, {
          title: 'Set your password',
          main: passwordForm(secret, invited.email),
          notice: { kind: 'error', text },
        });
      if (password !== field(req.body, 'confirm')) return again('The two passwords differ.');
      try {
        await acceptInvitation(anonymousCtx(base, req), secret, password);
      } catch (err) {
        if (err instanceof ZodError) return again(err.issues.map((i) => i.message).join(' '));
        if (err instanceof CrierError && err.code === 'invitation_invalid') return invitationGone(reply);
        throw err;
      }
      return sendPage(reply, 200, {
        title: 'Sign in',
        main: signInForm(await ssoOffered(), invited.email),
        notice: { kind: 'ok', text: 'Your password is set. Sign in with it now.' },
      });
    });

    app.post('/console/sign-out', async (req, reply) => {
      assertSameOrigin(req, base.config);
      const secret = sessionSecret(req, base.config);
      const user = secret === null ? null : await resolveSession(base.db, secret, base.clock.now());
      if (secret !== null && user !== null) {
        await signOut(
          { ...anonymousCtx(base, req), actor: sessionActor(user, req.ip, String(req.id)) },
          secret,
        );
      }
      clearSessionCookie(reply, base.config);
      return reply.redirect('/console/sign-in', 303);
    });
  };
}

function invitationGone(reply: FastifyReply): FastifyReply {
  return sendPage(reply, 404, {
    title: 'Invitation',
    main: html`<h1>This link no longer works</h1>
<p>An invitation link works once, for 24 hours. Ask an admin for a new one, or <a href="/console/sign-in">sign in</a>.</p>`,
  });
}
