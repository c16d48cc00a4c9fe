/** One message as an email: subject, text and HTML parts, and the unsubscribe headers. */
import { renderMarkdown } from '../domain/markdown.ts';
import { messageWords } from '../domain/message-words.ts';
import type { Message } from './types.ts';

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => escapes[c] ?? c);

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export function renderEmail(message: Message): RenderedEmail {
  const w = message.words ?? messageWords('en');
  const lines = [message.text];
  if (message.confirmUrl) lines.push('', `${w.confirm}: ${message.confirmUrl}`);
  if (message.url) lines.push('', `${w.details}: ${message.url}`);
  if (message.feedbackUrl)
    lines.push(
      '',
      `${w.helpful} ${w.yes}: ${message.feedbackUrl}?helpful=yes  ${w.no}: ${message.feedbackUrl}?helpful=no`,
    );
  if (message.manageUrl) lines.push('', `${w.manage}: ${message.manageUrl}`);
  // The same Markdown as the status page: no raw HTML, links only to http(s) and mailto.
  const paragraphs = renderMarkdown(message.text);
  const html = `<!doctype html><html dir="${w.dir}"><body style="font-family:sans-serif;max-width:40em">${
    message.drill ? `<p><strong>[DRILL]</strong> ${esc(w.exercise)}</p>` : ''
  }<h1 style="font-size:1.2em">${esc(message.title)}</h1>${paragraphs}${
    message.confirmUrl ? `<p><a href="${esc(message.confirmUrl)}">${esc(w.confirm)}</a></p>` : ''
  }${message.url ? `<p><a href="${esc(message.url)}">${esc(w.viewDetails)}</a></p>` : ''}${
    message.feedbackUrl
      ? `<p>${esc(w.helpful)} <a href="${esc(message.feedbackUrl)}?helpful=yes">${esc(w.yes)}</a> · <a href="${esc(message.feedbackUrl)}?helpful=no">${esc(w.no)}</a></p>`
      : ''
  }${
    message.manageUrl
      ? `<p style="font-size:.85em;color:#555"><a href="${esc(message.manageUrl)}">${esc(w.manage)}</a></p>`
      : ''
  }</body></html>`;
  const headers: Record<string, string> = {};
  if (message.unsubscribeUrl) {
    // RFC 2369 and RFC 8058: mail clients show an unsubscribe button that POSTs to this URL.
    headers['List-Unsubscribe'] = `<${message.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    subject: `${message.drill ? '[DRILL] ' : ''}${message.title}`,
    text: `${message.drill ? `[DRILL] ${w.exercise}\n\n` : ''}${lines.join('\n')}\n`,
    html,
    headers,
  };
}
