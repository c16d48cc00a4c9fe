/**
 * The subscribe, confirm, manage and unsubscribe pages, worn in the status
 * page's own header, styles and footer (`shell`, from the latest render).
 * Rendering only: the routes in subscribe.ts decide which page to answer
 * and in which language. The words are the status page's catalog's
 * (src/statuspage/messages/); every piece of text from outside passes
 * through escapeHtml before it goes in.
 */
import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../../domain/html.ts';
import { languageNames, type PageLanguage } from '../../domain/languages.ts';
import { languageOf } from '../../domain/message-words.ts';
import type { PageWords } from './page.ts';

/** `main` (HTML) in the status page's look, in its language or `language`; undefined before its first render. */
export type Shell = (title: string, main: string, language?: PageLanguage) => string | undefined;

/** Before the page has rendered once (a start with the database away), a plain page still says it. */
function plain(title: string, main: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title></head><body><main id="main">${main}<p><a href="/">Back to the status page</a></p></main></body></html>`;
}

/**
 * Answers one of these pages. Never cached; no Referer leaves them, since
 * their address can hold a subscriber's token. The other security headers
 * come from the server's onSend hook.
 */
export function pageReplier(shell: Shell) {
  return (
    reply: FastifyReply,
    status: number,
    title: string,
    body: string,
    language?: PageLanguage,
  ): FastifyReply => {
    const main = `<div class="panel"><h1>${escapeHtml(title)}</h1>${body}</div>`;
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(shell(title, main, language) ?? plain(title, main));
  };
}

/** These pages' words in one language, and the query that keeps the next page in it. */
export interface Words {
  language: PageLanguage;
  t: PageWords;
  /** `?lang=xx`, on every link and form action of these pages. */
  lang: string;
}

/** A catalog entry, escaped for HTML (entries whose own markup is ours are used without `say`). */
const say = (w: Words, key: string, values?: Record<string, string | number>) => escapeHtml(w.t(key, values));

/** How each kind is asked for: form field name, input type, autocomplete, whether it has a hint. */
const kindFields: Record<string, { name: string; type: string; autocomplete: string; hint?: boolean }> = {
  email: { name: 'email', type: 'email', autocomplete: 'email' },
  sms: { name: 'phone', type: 'tel', autocomplete: 'tel', hint: true },
  voice: { name: 'voice', type: 'tel', autocomplete: 'tel', hint: true },
  webhook: { name: 'webhook', type: 'url', autocomplete: 'off' },
  slack: { name: 'slack', type: 'url', autocomplete: 'off' },
  teams: { name: 'teams', type: 'url', autocomplete: 'off' },
  discord: { name: 'discord', type: 'url', autocomplete: 'off' },
};

export interface ComponentChoice {
  id: string;
  name: string;
  checked?: boolean;
}

function componentBoxes(w: Words, components: readonly ComponentChoice[], legendKey: string): string {
  if (components.length === 0) return '';
  const boxes = components
    .map(
      (c) =>
        `<label class="check"><input type="checkbox" name="component_ids" value="${escapeHtml(c.id)}"${c.checked ? ' checked' : ''}> <span>${escapeHtml(c.name)}</span></label>`,
    )
    .join('');
  return `<fieldset><legend>${say(w, legendKey)}</legend><p class="hint">${say(w, 'sub.components.hint')}</p>${boxes}</fieldset>`;
}

/** The plan's languages for messages, the chosen one (else the page's, else the first) selected; nothing when there is one. */
function languageField(w: Words, languages: readonly PageLanguage[], chosen: string | null): string {
  if (languages.length < 2) return '';
  const wanted = languageOf(chosen) ?? w.language;
  const current = languages.includes(wanted) ? wanted : languages[0];
  const options = languages
    .map(
      (l) =>
        `<option value="${l}" lang="${l}"${l === current ? ' selected' : ''}>${escapeHtml(languageNames[l])}</option>`,
    )
    .join('');
  return `<div class="field"><label for="sub-locale">${say(w, 'sub.language')}</label><select id="sub-locale" name="locale">${options}</select></div>`;
}

/** The form, with only the ways this install offers; says so when there is none, or no email. */
export function subscribeForm(
  w: Words,
  pageName: string,
  offered: ReadonlySet<string>,
  components: readonly ComponentChoice[],
  languages: readonly PageLanguage[] = [],
): string {
  // A number to call is confirmed by text message: offered only where text messages are.
  const kinds = Object.entries(kindFields).filter(
    ([kind]) => offered.has(kind) && (kind !== 'voice' || offered.has('sms')),
  );
  const push = offered.has('push');
  const intro = `<p>${say(w, 'sub.intro', { name: pageName })}</p>`;
  const follow = `<p>${w.t('sub.follow')}</p>`;
  if (kinds.length === 0 && !push) {
    return `${intro}<p class="note">${say(w, 'sub.none')}</p>${follow}`;
  }
  // What people most often look for, said plainly when this install does not offer it.
  const missing = ['email', 'sms'].filter((kind) => !offered.has(kind));
  const notYet = missing.length
    ? `<p class="note">${say(w, 'sub.missing', { missing: missing.length === 2 ? 'both' : String(missing[0]) })}</p>`
    : '';
  const fields = kinds
    .map(([kind, f]) => {
      const id = `sub-${kind}`;
      const hint = f.hint ? `<p class="hint" id="${id}-hint">${say(w, `sub.hint.${kind}`)}</p>` : '';
      return `<div class="field"><label for="${id}">${say(w, `sub.field.${kind}`)}</label>${hint}<input id="${id}" name="${f.name}" type="${f.type}" autocomplete="${f.autocomplete}"${f.hint ? ` aria-describedby="${id}-hint"` : ''}></div>`;
    })
    .join('');
  const form = kinds.length
    ? `<form method="post" action="/subscribe${w.lang}">${kinds.length > 1 ? `<p>${say(w, 'sub.oneWay')}</p>` : ''}${fields}${languageField(w, languages, null)}${componentBoxes(w, components, 'sub.components')}<div class="actions"><button class="button" type="submit">${say(w, 'sub.submit')}</button></div></form>`
    : '';
  const pushButton = push
    ? `<div class="actions"><button class="button quiet" type="button" id="push-subscribe" data-on="${say(w, 'sub.push.on')}" data-failed="${say(w, 'sub.push.failed')}" data-denied="${say(w, 'sub.push.denied')}"${languages.includes(w.language) ? ` data-locale="${w.language}"` : ''} hidden>${say(w, 'sub.push')}</button></div><script src="/push.js" defer></script>`
    : '';
  return `${intro}${notYet}${form}${pushButton}${follow}`;
}

/** GET /confirm/:token for a pending subscription: a GET changes nothing; the button confirms. */
export function confirmPrompt(w: Words, pageName: string, token: string): string {
  return `<p>${say(w, 'confirm.prompt', { name: pageName })}</p><form method="post" action="/confirm/${escapeHtml(token)}${w.lang}"><div class="actions"><button class="button" type="submit">${say(w, 'confirm.button')}</button></div></form><p class="note">${say(w, 'confirm.ignore')}</p>`;
}

export function confirmedBody(w: Words, manageToken: string): string {
  return `<p>${say(w, 'confirm.done')}</p><p><a href="/unsubscribe/${escapeHtml(manageToken)}${w.lang}">${say(w, 'confirm.manage')}</a></p>`;
}

/** A second use of a confirmation link: says so, and nothing about whom or what it was for. */
export const alreadyConfirmedBody = (w: Words) => `<p>${say(w, 'confirm.already')}</p>`;

export const confirmLinkNotValidBody = (w: Words) =>
  `<p>${w.t('confirm.invalid', { subscribe: `/subscribe${w.lang}` })}</p>`;

export const linkNotValidBody = (w: Words) =>
  `<p>${w.t('link.invalid', { subscribe: `/subscribe${w.lang}` })}</p>`;

/** The page behind the link in every message: components, and the way out. Both POST. */
export function manageBody(
  w: Words,
  who: string,
  token: string,
  components: readonly ComponentChoice[],
  languages: readonly PageLanguage[] = [],
  locale: string | null = null,
): string {
  const t = escapeHtml(token);
  const choices = `${languageField(w, languages, locale)}${componentBoxes(w, components, 'manage.components')}`;
  const preferences = choices
    ? `<form method="post" action="/manage/${t}${w.lang}">${choices}<div class="actions"><button class="button" type="submit">${say(w, 'manage.save')}</button></div></form>`
    : '';
  return `<p>${say(w, 'manage.to', { who })}</p>${preferences}<h2>${say(w, 'manage.stop')}</h2><form method="post" action="/unsubscribe/${t}${w.lang}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><div class="actions"><button class="button quiet" type="submit">${say(w, 'manage.unsubscribe')}</button></div></form>`;
}

export function unsubscribedBody(w: Words, who?: string): string {
  const said = who ? say(w, 'unsub.who', { who }) : say(w, 'unsub.you');
  return `<p>${said}</p><p><a href="/subscribe${w.lang}">${say(w, 'unsub.again')}</a></p>`;
}

export function choicesSavedBody(w: Words, chosen: number, token: string): string {
  return `<p>${say(w, 'manage.saved', { count: chosen })}</p><p><a href="/unsubscribe/${escapeHtml(token)}${w.lang}">${say(w, 'manage.back')}</a></p>`;
}
