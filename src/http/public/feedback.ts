/**
 * The public feedback pages: `/f/CODE` (a message's short link) and
 * `/feedback/:token` show an update and ask whether it helped; a POST
 * records the answer, as a form without JavaScript (the status page's
 * buttons, the thank-you page's comment) or as JSON. Nothing to sign in to:
 * the token says who is asking. Mail scanners open every link, so a GET
 * never records anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CrierError } from '../../domain/errors.ts';
import { maxCommentLength } from '../../domain/feedback.ts';
import { escapeHtml } from '../../domain/html.ts';
import { renderMarkdown } from '../../domain/markdown.ts';
import type { Ctx } from '../../services/context.ts';
import { castVote, type VotePrompt, votePrompt } from '../../services/feedback/vote.ts';
import { RateLimit } from '../../services/rate-limit.ts';
import type { BaseCtx } from '../auth.ts';
import { errorHeaders, httpStatusOf, logAnswered, sendError, toCrierError } from '../errors.ts';
import { pageReplier, type Shell } from './subscribe-pages.ts';

export interface FeedbackPageDeps extends BaseCtx {
  shell: Shell;
}

const linkNotValid =
  '<p>This feedback link is not valid: it may be mistyped, or the update it asked about is no longer published.</p>';

function answerButtons(token: string, chosen: boolean | null, comment: string | null): string {
  const t = escapeHtml(token);
  const pressed = (yes: boolean) => (chosen === yes ? ' aria-pressed="true"' : '');
  return `<form method="post" action="/feedback/${t}"><fieldset><legend>Was this update helpful?</legend><div class="actions"><button class="button" type="submit" name="helpful" value="yes"${pressed(true)}>Yes</button> <button class="button" type="submit" name="helpful" value="no"${pressed(false)}>No</button></div></fieldset><p><label for="feedback-comment">Anything to add? (optional, read only by our team, never published)</label><br><textarea id="feedback-comment" name="comment" rows="4" cols="50" maxlength="${maxCommentLength}">${escapeHtml(comment ?? '')}</textarea></p></form>`;
}

function promptBody(token: string, p: VotePrompt, asked: boolean | null): string {
  const chosen = asked ?? p.helpful;
  const said =
    p.helpful === null
      ? ''
      : `<p>You said this update was ${p.helpful ? '' : 'not '}helpful. You can change that.</p>`;
  const confirm =
    asked === null ? '' : `<p>Press <strong>${asked ? 'Yes' : 'No'}</strong> below to send your answer.</p>`;
  return `<h2>${escapeHtml(p.incidentName)}</h2><blockquote>${renderMarkdown(p.body)}</blockquote>${said}${confirm}${answerButtons(token, chosen, p.comment)}`;
}

function thanksBody(token: string, helpful: boolean, commented: boolean): string {
  const more = commented
    ? '<p>Your comment reaches our team; it is never published.</p>'
    : `<form method="post" action="/feedback/${escapeHtml(token)}"><input type="hidden" name="helpful" value="${helpful ? 'yes' : 'no'}"><p><label for="feedback-comment">Tell us more (optional, read only by our team, never published)</label><br><textarea id="feedback-comment" name="comment" rows="4" cols="50" maxlength="${maxCommentLength}"></textarea></p><div class="actions"><button class="button quiet" type="submit">Send</button></div></form>`;
  return `<p>Thank you: we read every answer to make our updates more useful.</p>${more}<p><a href="/">Back to the status page</a></p>`;
}

/** `?helpful=yes` in a message's link: the answer the reader picked there, shown to be confirmed. */
function askedOf(query: unknown): boolean | null {
  const value = (query as { helpful?: unknown } | undefined)?.helpful;
  return value === 'yes' ? true : value === 'no' ? false : null;
}

export function feedbackPageRoutes(deps: FeedbackPageDeps) {
  const html = pageReplier(deps.shell);
  // A first line against floods; the lasting per-address limit on page votes is the database's.
  const perAddress = new RateLimit(60, 10 * 60_000);
  const ctx = (req: FastifyRequest): Ctx => ({
    ...deps,
    log: deps.log.child({ request_id: String(req.id) }),
    actor: { id: 'public', role: 'viewer', source: req.ip, requestId: String(req.id) },
  });

  const show = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const prompt = await votePrompt(ctx(req), req.params.token, { address: req.ip });
    if (!prompt) return html(reply, 404, 'Link not valid', linkNotValid);
    return html(
      reply,
      200,
      'Was this update helpful?',
      promptBody(req.params.token, prompt, askedOf(req.query)),
    );
  };

  return async (app: FastifyInstance) => {
    app.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, body),
    );

    app.get<{ Params: { token: string } }>('/f/:token', show);
    app.get<{ Params: { token: string } }>('/feedback/:token', show);

    app.post<{ Params: { token: string } }>(
      '/feedback/:token',
      { bodyLimit: 16 * 1024 },
      async (req, reply) => {
        const isForm = typeof req.body === 'string';
        const token = req.params.token;
        try {
          if (!perAddress.hit(req.ip, deps.clock.now().getTime()))
            throw new CrierError('rate_limited', 'Too many answers from this address; try again later.');
          const input = isForm ? Object.fromEntries(new URLSearchParams(req.body as string)) : req.body;
          if (input === null || typeof input !== 'object' || Array.isArray(input))
            throw new CrierError(
              'validation_failed',
              'Send `helpful` (yes or no) and an optional `comment`.',
            );
          const result = await castVote(ctx(req), token, input, { address: req.ip });
          if (!isForm) return reply.code(200).send({ status: 'recorded', ...result });
          const commented = typeof (input as { comment?: unknown }).comment === 'string';
          return html(reply, 200, 'Thank you', thanksBody(token, result.helpful, commented));
        } catch (err) {
          if (!isForm) return sendError(req, reply, err);
          const e = toCrierError(err);
          reply.headers(errorHeaders(e.code));
          logAnswered(req, err, e);
          if (e.code === 'not_found') return html(reply, 404, 'Link not valid', linkNotValid);
          const status =
            httpStatusOf[e.code] >= 500 || e.code === 'rate_limited' ? httpStatusOf[e.code] : 400;
          const details = Array.isArray(e.details)
            ? `<ul>${(e.details as { path?: unknown; message?: unknown }[]).map((d) => `<li>${escapeHtml(`${String(d.path ?? '')}: ${String(d.message ?? '')}`)}</li>`).join('')}</ul>`
            : '';
          return html(
            reply,
            status,
            'Answer not recorded',
            `<p>${escapeHtml(e.message)}</p>${details}<p><a href="/feedback/${escapeHtml(token)}">Try again</a></p>`,
          );
        }
      },
    );
  };
}
