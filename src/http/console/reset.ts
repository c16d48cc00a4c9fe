/**
 * "Forgot your password?": a form that asks for a link by email, and one
 * answer whatever the address (src/services/users/reset.ts). The link opens
 * the invitation page, where the new password is set.
 */
import type { FastifyInstance } from 'fastify';
import { CrierError } from '../../domain/errors.ts';
import { requestPasswordReset } from '../../services/users/reset.ts';
import type { BaseCtx } from '../auth.ts';
import { assertSameOrigin } from '../session.ts';
import { html, type Page } from './html.ts';
import { anonymousCtx, field, sendPage } from './page.ts';

function resetForm(): Page['main'] {
  return html`<h1>Set a new password</h1>
<p>Give the email address you sign in with; a link to choose a new password is sent to it.</p>
<form class="stack" method="post" action="/console/reset">
<label>Email <input type="email" name="email" autocomplete="username" required maxlength="254"></label>
<button type="submit">Send me a link</button>
</form>
<p><a href="/console/sign-in">Back to sign in</a></p>`;
}

export function resetRoutes(base: BaseCtx) {
  return async (app: FastifyInstance) => {
    app.get('/console/reset', async (_req, reply) =>
      sendPage(reply, 200, { title: 'Set a new password', main: resetForm() }),
    );

    app.post('/console/reset', async (req, reply) => {
      assertSameOrigin(req, base.config);
      const email = field(req.body, 'email');
      if (email.trim() === '') {
        return sendPage(reply, 400, {
          title: 'Set a new password',
          main: resetForm(),
          notice: { kind: 'error', text: 'Give the email address you sign in with.' },
        });
      }
      try {
        await requestPasswordReset(anonymousCtx(base, req), { email, address: req.ip });
      } catch (err) {
        if (!(err instanceof CrierError && err.code === 'rate_limited')) throw err;
        reply.header('retry-after', '900');
        return sendPage(reply, 429, {
          title: 'Set a new password',
          main: resetForm(),
          notice: { kind: 'error', text: err.message },
        });
      }
      return sendPage(reply, 200, {
        title: 'Check your email',
        main: html`<h1>Check your email</h1>
<p>If an account here has that address, a link to set a new password is on its way; it works once, for an hour.</p>
<p><a href="/console/sign-in">Back to sign in</a></p>`,
      });
    });
  };
}
