/**
 * The subscribe, confirm, manage and unsubscribe pages, worn in the status
 * page's own header, styles and footer (`shell`, from the latest render).
 * Rendering only: the routes in subscribe.ts decide which page to answer.
 * Every piece of text from outside passes through escapeHtml.
 */
import type { FastifyReply } from 'fastify';
import { escapeHtml } from '../../domain/html.ts';
import { languageNames, type PageLanguage } from '../../domain/languages.ts';
import { languageOf } from '../../domain/message-words.ts';

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

/** How each kind is asked for: form field name, label, input type, autocomplete, hint. */
const kindFields: Record<
  string,
  { name: string; label: string; type: string; autocomplete: string; hint?: string }
> = {
  email: { name: 'email', label: 'Email address', type: 'email', autocomplete: 'email' },
  sms: {
    name: 'phone',
    label: 'Mobile number',
    type: 'tel',
    autocomplete: 'tel',
    hint: 'With the country code, for example +14155550100.',
  },
  voice: {
    name: 'voice',
    label: 'Phone number to call',
    type: 'tel',
    autocomplete: 'tel',
    hint: 'With the country code, for example +14155550100. It is confirmed by a text message.',
  },
  webhook: { name: 'webhook', label: 'Webhook URL', type: 'url', autocomplete: 'off' },
  slack: { name: 'slack', label: 'Slack incoming webhook URL', type: 'url', autocomplete: 'off' },
  teams: { name: 'teams', label: 'Microsoft Teams workflow webhook URL', type: 'url', autocomplete: 'off' },
  discord: { name: 'discord', label: 'Discord webhook URL', type: 'url', autocomplete: 'off' },
};

/** What people most often look for, said plainly when this install does not offer it. */
const missingWords: [kind: string, words: string][] = [
  ['email', 'email'],
  ['sms', 'text messages'],
];

export interface ComponentChoice {
  id: string;
  name: string;
  checked?: boolean;
}

function componentBoxes(components: readonly ComponentChoice[], legend: string): string {
  if (components.length === 0) return '';
  const boxes = components
    .map(
      (c) =>
        `<label class="check"><input type="checkbox" name="component_ids" value="${escapeHtml(c.id)}"${c.checked ? ' checked' : ''}> <span>${escapeHtml(c.name)}</span></label>`,
    )
    .join('');
  return `<fieldset><legend>${legend}</legend><p class="hint">Leave every box empty to hear about all of them.</p>${boxes}</fieldset>`;
}

/** The plan's languages for messages, the chosen one (else the first) selected; nothing when there is one. */
function languageField(languages: readonly PageLanguage[], chosen: string | null): string {
  if (languages.length < 2) return '';
  const current = languageOf(chosen) ?? languages[0];
  const options = languages
    .map(
      (l) =>
        `<option value="${l}" lang="${l}"${l === current ? ' selected' : ''}>${escapeHtml(languageNames[l])}</option>`,
    )
    .join('');
  return `<div class="field"><label for="sub-locale">Language of messages</label><select id="sub-locale" name="locale">${options}</select></div>`;
}

/** The form, with only the ways this install offers; says so when there is none, or no email. */
export function subscribeForm(
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
  const intro = `<p>Hear from ${escapeHtml(pageName)} when an incident or a maintenance is posted.</p>`;
  const follow =
    '<p>You can follow this page with its <a href="/history.atom">Atom</a> or <a href="/history.rss">RSS</a> feed, or add the <a href="/maintenances.ics">maintenance calendar</a> to your calendar.</p>';
  if (kinds.length === 0 && !push) {
    return `${intro}<p class="note">This page does not offer subscriptions yet.</p>${follow}`;
  }
  const missing = missingWords.filter(([kind]) => !offered.has(kind)).map(([, words]) => words);
  const notYet = missing.length
    ? `<p class="note">Updates by ${missing.join(' or ')} are not available here yet.</p>`
    : '';
  const fields = kinds
    .map(([kind, f]) => {
      const id = `sub-${kind}`;
      const hint = f.hint ? `<p class="hint" id="${id}-hint">${f.hint}</p>` : '';
      return `<div class="field"><label for="${id}">${f.label}</label>${hint}<input id="${id}" name="${f.name}" type="${f.type}" autocomplete="${f.autocomplete}"${f.hint ? ` aria-describedby="${id}-hint"` : ''}></div>`;
    })
    .join('');
  const form = kinds.length
    ? `<form method="post" action="/subscribe">${kinds.length > 1 ? '<p>Fill in one way to reach you.</p>' : ''}${fields}${languageField(languages, null)}${componentBoxes(components, 'Only these components')}<div class="actions"><button class="button" type="submit">Subscribe</button></div></form>`
    : '';
  const pushButton = push
    ? '<div class="actions"><button class="button quiet" type="button" id="push-subscribe" hidden>Notify me in this browser</button></div><script src="/push.js" defer></script>'
    : '';
  return `${intro}${notYet}${form}${pushButton}${follow}`;
}

/** GET /confirm/:token for a pending subscription: a GET changes nothing; the button confirms. */
export function confirmPrompt(pageName: string, token: string): string {
  return `<p>Press the button to start receiving status updates from ${escapeHtml(pageName)}.</p><form method="post" action="/confirm/${escapeHtml(token)}"><div class="actions"><button class="button" type="submit">Confirm my subscription</button></div></form><p class="note">If you did not ask for this, close this page: nothing will be sent.</p>`;
}

export function confirmedBody(manageToken: string): string {
  return `<p>You will now receive status updates. Every message carries a link to choose components or unsubscribe.</p><p><a href="/unsubscribe/${escapeHtml(manageToken)}">Choose components or unsubscribe</a></p>`;
}

/** A second use of a confirmation link: says so, and nothing about whom or what it was for. */
export const alreadyConfirmedBody =
  '<p>This subscription is already confirmed. There is nothing more to do.</p>';

export const confirmLinkNotValidBody =
  '<p>This confirmation link is not valid any more. <a href="/subscribe">Subscribe again</a> if you want updates.</p>';

export const linkNotValidBody =
  '<p>This link is not valid any more. <a href="/subscribe">Subscribe again</a> if you want updates.</p>';

/** The page behind the link in every message: components, and the way out. Both POST. */
export function manageBody(
  who: string,
  token: string,
  components: readonly ComponentChoice[],
  languages: readonly PageLanguage[] = [],
  locale: string | null = null,
): string {
  const t = escapeHtml(token);
  const choices = `${languageField(languages, locale)}${componentBoxes(components, 'Components you hear about')}`;
  const preferences = choices
    ? `<form method="post" action="/manage/${t}">${choices}<div class="actions"><button class="button" type="submit">Save my choices</button></div></form>`
    : '';
  return `<p>Updates go to ${escapeHtml(who)}.</p>${preferences}<h2>Stop all updates</h2><form method="post" action="/unsubscribe/${t}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><div class="actions"><button class="button quiet" type="submit">Unsubscribe</button></div></form>`;
}

export function unsubscribedBody(who?: string): string {
  return `<p>${who ? `${escapeHtml(who)} receives` : 'You will receive'} no more updates.</p><p><a href="/subscribe">Subscribe again</a></p>`;
}

export function choicesSavedBody(chosen: number, token: string): string {
  const what =
    chosen === 0
      ? 'You will hear about every component.'
      : `You will hear about ${chosen} chosen component${chosen === 1 ? '' : 's'}.`;
  return `<p>${what}</p><p><a href="/unsubscribe/${escapeHtml(token)}">Back to your subscription</a></p>`;
}
