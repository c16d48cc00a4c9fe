/**
 * The subscribers screen: counts by kind and state for everyone who may
 * read; for those who may read contacts (`subscriber.read`), search, a page
 * of subscribers and the CSV export (the admin API's, which takes the
 * session); those who may write them can import a CSV with its progress
 * (subscriber-import.ts) and delete one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, type Role } from '../../domain/permissions.ts';
import { currentPlan } from '../../services/plan/current.ts';
import { deleteSubscriber } from '../../services/subscribers/manage.ts';
import {
  countSubscribers,
  listSubscribers,
  type SubscriberCounts,
} from '../../services/subscribers/queries.ts';
import type { SubscriberView } from '../../services/subscribers/views.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html, type Page } from './html.ts';
import { actThenShow, noticeOf, personCtx, sendPage } from './page.ts';
import { post, when, words } from './parts.ts';
import { importForm } from './subscriber-import.ts';

const done = { deleted: 'Subscriber deleted.' } as const;
const PER_PAGE = 50;

type Query = { Querystring: { done?: string; q?: string; page?: string } };

function countsTable(counts: SubscriberCounts): Html {
  const kinds = Object.keys(counts).filter((k) => k !== 'total');
  const states = Object.keys(counts.total);
  if (kinds.length === 0) return html`<p class="muted">No subscriber yet.</p>`;
  return html`<div class="scroll"><table><caption>Subscribers by kind and state</caption>
<thead><tr><th scope="col">Kind</th>${states.map((s) => html`<th scope="col">${words(s)}</th>`)}</tr></thead>
<tbody>${kinds.map(
    (k) =>
      html`<tr><th scope="row">${k}</th>${states.map((s) => html`<td>${counts[k]?.[s] ?? 0}</td>`)}</tr>`,
  )}<tr><th scope="row">all</th>${states.map((s) => html`<td>${counts.total[s] ?? 0}</td>`)}</tr></tbody></table></div>`;
}

function contactOf(s: SubscriberView): string {
  return s.email ?? s.phone_number ?? s.endpoint ?? '';
}

function list(role: Role, items: SubscriberView[], q: string, page: number, total: number): Html {
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const link = (p: number) => `/console/subscribers?${new URLSearchParams({ q, page: String(p) })}`;
  return html`<form class="actions" method="get" action="/console/subscribers" role="search">
<label>Search contacts <input type="search" name="q" value="${q}" maxlength="200"></label>
<button type="submit" class="secondary">Search</button></form>
<p><a href="/api/v1/subscribers/export">Export every subscriber as CSV</a></p>
<p class="muted">${total} found${pages > 1 && html`, page ${page} of ${pages}`}.</p>
${
  items.length > 0 &&
  html`<ul class="cards">${items.map(
    (s) => html`<li class="card"><strong>${contactOf(s)}</strong>
<p class="muted">${s.kind} · ${s.audience} · ${words(s.state)} · since ${when(s.created_at)}${s.all_components ? '' : html` · ${s.component_ids.length} component(s)`}</p>
${can(role, 'subscriber.write') && html`<div class="actions">${post(`/console/subscribers/${s.id}/delete`, 'Delete', '', 'secondary')}</div>`}</li>`,
  )}</ul>`
}
<nav class="actions" aria-label="Pages">${page > 1 && html`<a href="${link(page - 1)}">Previous page</a>`}${
    page < pages && html`<a href="${link(page + 1)}">Next page</a>`
  }</nav>`;
}

export function subscriberRoutes(base: BaseCtx) {
  async function show(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    notice: Page['notice'],
    query: Query['Querystring'] = {},
  ) {
    const user = req.consoleUser as SessionUser;
    const q = typeof query.q === 'string' ? query.q.slice(0, 200) : '';
    const page = Math.min(100_000, Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1));
    const counts = await countSubscribers(base.db);
    const found = can(user.role, 'subscriber.read')
      ? await listSubscribers(personCtx(base, req), { page, per_page: PER_PAGE, ...(q && { q }) })
      : null;
    return sendPage(reply, status, {
      title: 'Subscribers',
      user,
      notice,
      live: { kinds: ['subscriber'] },
      main: html`<h1>Subscribers</h1>
${countsTable(counts)}
${can(user.role, 'subscriber.write') && importForm(Object.keys((await currentPlan(base.db))?.audiences ?? {}).filter((a) => a !== 'internal'))}
${
  found === null
    ? html`<p class="muted">Your role sees counts, not who the subscribers are.</p>`
    : list(user.role, found.items, q, page, found.total)
}`,
    });
  }

  return async (app: FastifyInstance) => {
    app.get<Query>('/console/subscribers', async (req, reply) =>
      show(req, reply, 200, noticeOf(done, req.query.done), req.query),
    );
    app.post<{ Params: { sid: string } }>('/console/subscribers/:sid/delete', async (req, reply) =>
      actThenShow(
        reply,
        '/console/subscribers',
        'deleted',
        () => deleteSubscriber(personCtx(base, req), req.params.sid),
        (status, notice) => show(req, reply, status, notice),
      ),
    );
  };
}
