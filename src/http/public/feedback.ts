/**
 * The public feedback pages: `/f/CODE` (a message's short link) and
 * `/feedback/:token` show an update and ask whether it helped; a POST
 * records the answer, as a form without JavaScript (the status page's
 * buttons, the thank-you page's comment) or as JSON. Nothing to sign in to:
 * the token says who is asking. Mail scanners open every link, so a GET
 * never records anything. The pages speak the status page's languages:
 * `?lang=` (the page's buttons and these pages' own forms say which), else
 * the subscriber's language, else the page's.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CrierError } from '../../domain/errors.ts';
import { maxCommentLength } from '../../domain/feedback.ts';
import { escapeHtml } from '../../domain/html.ts';
import { type PageLanguage, pageLanguages } from '../../domain/languages.ts';
import { renderMarkdown } from '../../domain/markdown.ts';
import type { Ctx } from '../../services/context.ts';
import { castVote, type VotePrompt, votePrompt } from '../../services/feedback/vote.ts';
import { currentPlan } from '../../services/plan/current.ts';
import { RateLimit } from '../../services/rate-limit.ts';
import type { BaseCtx } from '../auth.ts';
import { errorHeaders, httpStatusOf, logAnswered, sendError, toCrierError } from '../errors.ts';
import type { PageWords } from './page.ts';
import { pageReplier, type Shell } from './subscribe-pages.ts';

export interface FeedbackPageDeps extends BaseCtx {
  shell: Shell;
  /** The status page's catalog in a language: these pages speak it too. */
  words(language: PageLanguage): PageWords;
}

/** The catalog entries these pages use (src/statuspage/messages/). */
type Key =
  | 'helpful.ask'
  | 'helpful.yes'
  | 'helpful.no'
  | `feedback.${'comment' | 'said' | 'confirm' | 'thanks' | 'thanks.title' | 'commented' | 'more' | 'send' | 'back' | 'invalid' | 'invalid.title' | 'refused.title' | 'retry'}`;
type Translate = (key: Key, values?: Record<string, string | number>) => string;

/** The words of these pages in one language, and where its forms post and its status page is. */
interface Words {
  language: PageLanguage;
  t: Translate;
  /** `/feedback/TOKEN?lang=xx`: the answer's page speaks the same language. */
  action: (token: string) => string;
  home: string;
}

const linkNotValid = (w: Words) => `<p>${escapeHtml(w.t('feedback.invalid'))}</p>`;

function answerButtons(w: Words, token: string, chosen: boolean | null, comment: string | null): string {
  const pressed = (yes: boolean) => (chosen === yes ? ' aria-pressed="true"' : '');
  const say = (key: Parameters<Translate>[0]) => escapeHtml(w.t(key));
  return `<form method="post" action="${w.action(token)}"><fieldset><legend>${say('helpful.ask')}</legend><div class="actions"><button class="button" type="submit" name="helpful" value="yes"${pressed(true)}>${say('helpful.yes')}</button> <button class="button" type="submit" name="helpful" value="no"${pressed(false)}>${say('helpful.no')}</button></div></fieldset><p><label for="feedback-comment">${say('feedback.comment')}</label><br><textarea id="feedback-comment" name="comment" rows="4" cols="50" maxlength="${maxCommentLength}">${escapeHtml(comment ?? '')}</textarea></p></form>`;
}

function promptBody(w: Words, token: string, p: VotePrompt, asked: boolean | null): string {
  const chosen = asked ?? p.helpful;
  const said =
    p.helpful === null
      ? ''
      : `<p>${escapeHtml(w.t('feedback.said', { helpful: p.helpful ? 'yes' : 'no' }))}</p>`;
  // The catalogs' own <strong> is ours; the answer's word is escaped before it goes in.
  const confirm =
    asked === null
      ? ''
      : `<p>${w.t('feedback.confirm', { answer: escapeHtml(w.t(asked ? 'helpful.yes' : 'helpful.no')) })}</p>`;
  return `<h2>${escapeHtml(p.incidentName)}</h2><blockquote>${renderMarkdown(p.body)}</blockquote>${said}${confirm}${answerButtons(w, token, chosen, p.comment)}`;
}

function thanksBody(w: Words, token: string, helpful: boolean, commented: boolean): string {
  const say = (key: Parameters<Translate>[0]) => escapeHtml(w.t(key));
  const more = commented
    ? `<p>${say('feedback.commented')}</p>`
    : `<form method="post" action="${w.action(token)}"><input type="hidden" name="helpful" value="${helpful ? 'yes' : 'no'}"><p><label for="feedback-comment">${say('feedback.more')}</label><br><textarea id="feedback-comment" name="comment" rows="4" cols="50" maxlength="${maxCommentLength}"></textarea></p><div class="actions"><button class="button quiet" type="submit">${say('feedback.send')}</button></div></form>`;
  return `<p>${say('feedback.thanks')}</p>${more}<p><a href="${w.home}">${say('feedback.back')}</a></p>`;
}

/** `?helpful=yes` in a message's link: the answer the reader picked there, shown to be confirmed. */
function askedOf(query: unknown): boolean | null {
  const value = (query as { helpful?: unknown } | undefined)?.helpful;
  return value === 'yes' ? true : value === 'no' ? false : null;
}

/** A page language a value names (`fr`, or a locale such as `pt-BR`); undefined for any other. */
function pageLanguageOf(value: unknown): PageLanguage | undefined {
  if (typeof value !== 'string') return undefined;
  const primary = value.split('-')[0]?.toLowerCase();
  return pageLanguages.find((l) => l === primary);
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

  /** `?lang=`, else the subscriber's language, else the page's own. */
  const wordsFor = async (req: FastifyRequest, locale: string | null = null): Promise<Words> => {
    const pageLanguage = (await currentPlan(deps.db))?.page?.language ?? 'en';
    const language =
      pageLanguageOf((req.query as { lang?: unknown } | undefined)?.lang) ??
      pageLanguageOf(locale) ??
      pageLanguage;
    return {
      language,
      t: deps.words(language),
      action: (token) => `/feedback/${escapeHtml(token)}?lang=${language}`,
      home: language === pageLanguage ? '/' : `/${language}/`,
    };
  };

  const show = async (req: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    const prompt = await votePrompt(ctx(req), req.params.token, { address: req.ip });
    const w = await wordsFor(req, prompt?.locale);
    if (!prompt) return html(reply, 404, w.t('feedback.invalid.title'), linkNotValid(w), w.language);
    return html(
      reply,
      200,
      w.t('helpful.ask'),
      promptBody(w, req.params.token, prompt, askedOf(req.query)),
      w.language,
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
        const w = await wordsFor(req);
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
          return html(
            reply,
            200,
            w.t('feedback.thanks.title'),
            thanksBody(w, token, result.helpful, commented),
            w.language,
          );
        } catch (err) {
          if (!isForm) return sendError(req, reply, err);
          const e = toCrierError(err);
          reply.headers(errorHeaders(e.code));
          logAnswered(req, err, e);
          if (e.code === 'not_found')
            return html(reply, 404, w.t('feedback.invalid.title'), linkNotValid(w), w.language);
          const status =
            httpStatusOf[e.code] >= 500 || e.code === 'rate_limited' ? httpStatusOf[e.code] : 400;
          const details = Array.isArray(e.details)
            ? `<ul>${(e.details as { path?: unknown; message?: unknown }[]).map((d) => `<li>${escapeHtml(`${String(d.path ?? '')}: ${String(d.message ?? '')}`)}</li>`).join('')}</ul>`
            : '';
          return html(
            reply,
            status,
            w.t('feedback.refused.title'),
            `<p>${escapeHtml(e.message)}</p>${details}<p><a href="${w.action(token)}">${escapeHtml(w.t('feedback.retry'))}</a></p>`,
            w.language,
          );
        }
      },
    );
  };
}
