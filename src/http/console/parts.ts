/** Small pieces every console screen uses: instants, countdowns, choices, one-button forms. */
import { type Html, html } from './html.ts';

export const words = (text: string) => text.replaceAll('_', ' ');

export function when(iso: string | null): Html | string {
  if (iso === null) return '—';
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

/** Amber this long before a deadline (the issue's five minutes), red once it has passed. */
const SOON_MS = 5 * 60_000;

/** How far off an instant is, in words: "in 12 min", "3 min overdue", "in 2 h 5 min". */
function relative(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  const span = minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return ms >= 0 ? `in ${span}` : `${span} overdue`;
}

/**
 * When the next update is due, with how long is left: amber (`soon`) in the
 * last five minutes, red (`late`) once overdue. The console's script keeps
 * the words and colour current from `data-due`; without it, they are as of
 * the page's load.
 */
export function countdown(due: string | null, now: Date): Html | string {
  if (due === null) return '—';
  const left = Date.parse(due) - now.getTime();
  const kind = left < 0 ? 'late' : left <= SOON_MS ? 'soon' : 'ok';
  return html`${when(due)} <span class="due ${kind}" data-due="${due}">${relative(left)}</span>`;
}

export function options(values: readonly string[], selected: string | undefined, blank?: string): Html {
  return html`${blank !== undefined && html`<option value="">${blank}</option>`}${values.map(
    (v) => html`<option value="${v}"${selected === v ? html` selected` : ''}>${words(v)}</option>`,
  )}`;
}

export function post(action: string, label: string, fields: Html | string = '', kind = ''): Html {
  return html`<form method="post" action="${action}">${fields}<button type="submit"${kind && html` class="${kind}"`}>${label}</button></form>`;
}

/** A datetime-local value (minutes, no zone), which the forms say is UTC, as an instant; anything else as typed. */
export function utcInstant(typed: string): string {
  const t = typed.trim();
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(t) ? `${t}:00Z` : t;
}

type Cell = string | number | boolean | null;

/**
 * A table of figures with its caption, its first column naming each row;
 * in a region that scrolls on its own (and takes the keyboard's focus to
 * do so) when it is wider than a phone.
 */
export function dataTable(
  caption: string,
  columns: readonly string[],
  rows: readonly (readonly Cell[])[],
): Html {
  const cell = (v: Cell) => (v === null ? '—' : String(v));
  return html`<div class="scroll" role="region" aria-label="${caption}" tabindex="0"><table><caption>${caption}</caption>
<thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
<tbody>${rows.map(
    ([first, ...rest]) =>
      html`<tr><th scope="row">${cell(first ?? null)}</th>${rest.map((v) => html`<td>${cell(v)}</td>`)}</tr>`,
  )}</tbody></table></div>`;
}

/** Newer and older page links for a list shown a page at a time. */
export function pageLinks(page: number, pages: number, link: (page: number) => string): Html {
  return html`<nav class="actions" aria-label="Pages">${page > 1 && html`<a href="${link(page - 1)}">Newer</a>`}${
    page < pages && html`<a href="${link(page + 1)}">Older</a>`
  }</nav>`;
}
