/**
 * Public subscription routes: the form and its JSON twin, the confirmation
 * link, the unsubscribe page and its RFC 8058 one-click POST, and Twilio's
 * inbound-SMS webhook for STOP. Every answer about a contact is the same
 * whether or not it was known.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyTwilio } from '../../channels/twilio-signature.ts';
import { CrierError } from '../../domain/errors.ts';
import { escapeHtml } from '../../domain/html.ts';
import type { PageLanguage } from '../../domain/languages.ts';
import { pageLanguageOf } from '../../domain/reader-language.ts';
import { listComponents } from '../../services/components/queries.ts';
import type { Ctx } from '../../services/context.ts';
import { maskContact } from '../../services/subscribers/contact.ts';
import {
  confirmationState,
  confirmSubscription,
  findByToken,
  offeredLanguages,
  type PublicLimits,
  publicLimits,
  publicSubscribe,
  smsStopWords,
  unsubscribeByToken,
  unsubscribeNumber,
  updatePreferences,
} from '../../services/subscribers/public.ts';
import { componentIdsOf } from '../../store/json.ts';
import type { BaseCtx } from '../auth.ts';
import { errorHeaders, httpStatusOf, logAnswered, sendError, toCrierError } from '../errors.ts';
import type { PageWords } from './page.ts';
import { readerLanguage } from './reader.ts';
import { refusalKey } from './refusals.ts';
import {
  alreadyConfirmedBody,
  choicesSavedBody,
  confirmedBody,
  confirmLinkNotValidBody,
  confirmPrompt,
  linkNotValidBody,
  manageBody,
  pageReplier,
  type Shell,
  subscribeForm,
  unsubscribedBody,
  type Words,
} from './subscribe-pages.ts';

export interface SubscribeDeps extends BaseCtx {
  offered(): ReadonlySet<string>;
  /** The status page's header, styles and footer around a page (src/http/public/subscribe-pages.ts). */
  shell: Shell;
  /** The page's name as the latest render shows it. */
  pageName(): string;
  /** The status page's catalog in a language: these pages speak it too. */
  words(language: PageLanguage): PageWords;
  twilioTokens(): readonly string[];
  vapidPublicKey(): string | undefined;
}

/** A form body as an object; repeated keys (component checkboxes) become arrays. */
function formObject(text: string): Record<string, string | string[]> {
  const params = new URLSearchParams(text);
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = key === 'component_ids' ? all : (all[0] ?? '');
  }
  for (const [k, v] of Object.entries(out)) if (v === '') delete out[k];
  return out;
}

export function subscribeRoutes(deps: SubscribeDeps) {
  const limits: PublicLimits = publicLimits();
  const html = pageReplier(deps.shell);
  const ctx = (req: FastifyRequest): Ctx => ({
    ...deps,
    log: deps.log.child({ request_id: String(req.id) }),
    actor: { id: 'public', role: 'viewer', source: req.ip, requestId: String(req.id) },
  });
  const wordsIn = (language: PageLanguage): Words => ({
    language,
    t: deps.words(language),
    lang: `?lang=${language}`,
  });
  const chooseLanguage = readerLanguage(deps.db);
  /**
   * The language these pages speak: `?lang=` (every link and form of theirs,
   * and the links in messages, carry it), else the subscriber's own, else
   * the browser's `Accept-Language`, else the plan's.
   */
  const wordsFor = async (req: FastifyRequest, locale: string | null = null): Promise<Words> =>
    wordsIn(
      await chooseLanguage(
        (req.query as { lang?: unknown } | undefined)?.lang,
        req.headers['accept-language'],
        locale,
      ),
    );

  return async (app: FastifyInstance) => {
    // Forms, and mail clients' one-click POSTs (form-encoded or multipart): read as text, small.
    app.addContentTypeParser(
      ['application/x-www-form-urlencoded', 'multipart/form-data'],
      { parseAs: 'string', bodyLimit: 16 * 1024 },
      (_req, body, done) => done(null, body),
    );

    app.get('/subscribe', async (req, reply) => {
      const w = await wordsFor(req);
      const components = await listComponents(deps.db);
      return html(
        reply,
        200,
        w.t('sub.title'),
        subscribeForm(w, deps.pageName(), deps.offered(), components, await offeredLanguages(deps.db)),
        w.language,
      );
    });

    app.post('/subscribe', async (req, reply) => {
      const isForm = typeof req.body === 'string';
      const input = isForm ? formObject(req.body as string) : req.body;
      try {
        if (input === null || typeof input !== 'object' || Array.isArray(input)) {
          throw new CrierError('validation_failed', 'Send an object with one contact.');
        }
        const answer = await publicSubscribe(ctx(req), input, req.ip, limits, deps.offered());
        if (!isForm) return reply.code(202).send(answer);
        const w = await wordsFor(req);
        return html(reply, 200, w.t('sub.sent.title'), `<p>${escapeHtml(w.t('sub.sent'))}</p>`, w.language);
      } catch (err) {
        if (!isForm) return sendError(req, reply, err);
        const w = await wordsFor(req);
        const e = toCrierError(err);
        const status =
          e.code === 'rate_limited' || e.code === 'internal_error' || e.code === 'database_unavailable'
            ? httpStatusOf[e.code]
            : 400;
        reply.headers(errorHeaders(e.code));
        logAnswered(req, err, e);
        // Said in the reader's language from the error's code; the JSON answer above stays the API's English.
        return html(
          reply,
          status,
          w.t('sub.refused.title'),
          `<p>${escapeHtml(w.t(refusalKey(e)))}</p><p><a href="/subscribe${w.lang}">${escapeHtml(w.t('sub.retry'))}</a></p>`,
          w.language,
        );
      }
    });

    // Mail scanners open every link: the GET only shows the button, the POST confirms.
    app.get<{ Params: { token: string } }>('/confirm/:token', async (req, reply) => {
      const token = req.params.token.slice(0, 100);
      const state = await confirmationState(ctx(req), token);
      const w = await wordsFor(req);
      if (state === 'unknown')
        return html(reply, 404, w.t('link.invalid.title'), confirmLinkNotValidBody(w), w.language);
      if (state === 'already_confirmed')
        return html(reply, 200, w.t('confirm.already.title'), alreadyConfirmedBody(w), w.language);
      return html(reply, 200, w.t('confirm.title'), confirmPrompt(w, deps.pageName(), token), w.language);
    });

    app.post<{ Params: { token: string } }>('/confirm/:token', async (req, reply) => {
      const result = await confirmSubscription(ctx(req), req.params.token.slice(0, 100));
      const w = await wordsFor(req, result.subscriber?.locale ?? null);
      if (result.state === 'unknown' || !result.subscriber) {
        return html(reply, 404, w.t('link.invalid.title'), confirmLinkNotValidBody(w), w.language);
      }
      // A second use says so and nothing more: not the contact, not the components, not the manage link.
      if (result.state === 'already_confirmed')
        return html(reply, 200, w.t('confirm.already.title'), alreadyConfirmedBody(w), w.language);
      return html(
        reply,
        200,
        w.t('confirm.done.title'),
        confirmedBody(w, result.subscriber.token),
        w.language,
      );
    });

    app.get<{ Params: { token: string } }>('/unsubscribe/:token', async (req, reply) => {
      const row = await findByToken(ctx(req), req.params.token.slice(0, 100));
      const w = await wordsFor(req, row?.locale ?? null);
      if (!row) return html(reply, 404, w.t('link.invalid.title'), linkNotValidBody(w), w.language);
      const who = maskContact(row.kind, row.contact);
      if (row.state === 'unsubscribed')
        return html(reply, 200, w.t('unsub.title'), unsubscribedBody(w, who), w.language);
      // A GET changes nothing (link scanners open every link); the buttons POST.
      const chosen = new Set(componentIdsOf(row));
      const components = (await listComponents(deps.db)).map((c) => ({ ...c, checked: chosen.has(c.id) }));
      const languages = await offeredLanguages(deps.db);
      return html(
        reply,
        200,
        w.t('manage.title'),
        manageBody(w, who, row.token, components, languages, row.locale),
        w.language,
      );
    });

    app.post<{ Params: { token: string } }>('/manage/:token', async (req, reply) => {
      const form = typeof req.body === 'string' ? formObject(req.body) : {};
      const ids = form.component_ids;
      const componentIds = Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : [];
      const locale = typeof form.locale === 'string' ? form.locale : undefined;
      // The page after saving speaks the language just chosen, when it is one of the page's.
      const w = await wordsFor(req);
      const chosen = pageLanguageOf(locale);
      const after = chosen ? wordsIn(chosen) : w;
      try {
        const done = await updatePreferences(ctx(req), req.params.token.slice(0, 100), componentIds, locale);
        if (!done) return html(reply, 404, w.t('link.invalid.title'), linkNotValidBody(w), w.language);
      } catch (err) {
        const e = toCrierError(err);
        logAnswered(req, err, e);
        const status = e.code === 'database_unavailable' ? httpStatusOf[e.code] : 400;
        return html(
          reply.headers(errorHeaders(e.code)),
          status,
          w.t('manage.refused.title'),
          `<p>${escapeHtml(w.t(refusalKey(e)))}</p>`,
          w.language,
        );
      }
      return html(
        reply,
        200,
        after.t('manage.saved.title'),
        choicesSavedBody(after, componentIds.length, req.params.token.slice(0, 100)),
        after.language,
      );
    });

    app.post<{ Params: { token: string } }>('/unsubscribe/:token', async (req, reply) => {
      const oneClick = typeof req.body === 'string' && /List-Unsubscribe=One-Click/i.test(req.body);
      const done = await unsubscribeByToken(
        ctx(req),
        req.params.token.slice(0, 100),
        oneClick ? 'one-click' : 'page',
      );
      const w = await wordsFor(req);
      if (!done) return html(reply, 404, w.t('link.invalid.title'), linkNotValidBody(w), w.language);
      return html(reply, 200, w.t('unsub.title'), unsubscribedBody(w), w.language);
    });

    // Web push: the key browsers subscribe with, the button's script and the service worker.
    app.get('/push/key', async (req, reply) => {
      const key = deps.vapidPublicKey();
      if (!key) return sendError(req, reply, new CrierError('not_found', 'Web push is not configured.'));
      return { public_key: key };
    });
    app.get('/push.js', async (_req, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(pushScript),
    );
    app.get('/sw.js', async (_req, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('service-worker-allowed', '/')
        .send(serviceWorker),
    );

    // Twilio calls this with each inbound SMS; STOP and its synonyms unsubscribe the number.
    app.post('/webhooks/twilio/sms', async (req, reply) => {
      const body = typeof req.body === 'string' ? req.body : '';
      const params = new URLSearchParams(body);
      const signature = String(req.headers['x-twilio-signature'] ?? '');
      const url = `${deps.config.publicUrl}${req.url}`;
      if (!verifyTwilio(deps.twilioTokens(), url, params, signature)) {
        return sendError(req, reply, new CrierError('forbidden', 'The X-Twilio-Signature does not match.'));
      }
      const word = (params.get('Body') ?? '').trim().toUpperCase();
      const from = params.get('From') ?? '';
      if (smsStopWords.has(word) && /^\+[1-9]\d{6,14}$/.test(from)) await unsubscribeNumber(ctx(req), from);
      return reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response></Response>');
    });
  };
}

/**
 * The subscribe button: shown only where the browser can push; subscribes through POST /subscribe,
 * in the page's language where messages are written in it. Its words come from the button's data
 * attributes, in the page's language.
 */
const pushScript = `(() => {
  const button = document.getElementById('push-subscribe');
  if (!button || !('serviceWorker' in navigator) || !('PushManager' in window)) return;
  button.hidden = false;
  const key = (b64) => {
    const s = atob((b64 + '='.repeat((4 - (b64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  };
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const registration = await navigator.serviceWorker.register('/sw.js');
      const { public_key } = await (await fetch('/push/key')).json();
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(public_key) });
      const res = await fetch('/subscribe', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ push: subscription.toJSON(), ...(button.dataset.locale && { locale: button.dataset.locale }) }) });
      button.textContent = res.ok ? button.dataset.on : button.dataset.failed;
    } catch {
      button.textContent = button.dataset.denied;
    }
  });
})();
`;

/** The service worker: shows each pushed update and opens its page when clicked. */
const serviceWorker = `self.addEventListener('push', (event) => {
  const data = event.data ? event.data.json() : { title: 'Status update', body: '' };
  event.waitUntil(self.registration.showNotification(data.title, { body: data.body, tag: data.tag, data: { url: data.url || '/' } }));
});
self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(clients.openWindow(event.notification.data.url));
});
`;
