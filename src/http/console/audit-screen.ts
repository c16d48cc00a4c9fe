/**
 * The audit log screen (`audit.read`): every state change, newest first,
 * filtered by who, what and which subject, a page at a time; each entry's
 * before and after as the log keeps them.
 */
import type { FastifyInstance } from 'fastify';
import { type AuditEntryView, AuditQuery, listAudit } from '../../services/audit-log.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html } from './html.ts';
import { personCtx, refusal, sendPage } from './page.ts';
import { pageLinks, when } from './parts.ts';

const PER_PAGE = 50;
const filters = [
  ['actor', 'Who', 'user:ivy@example.com'],
  ['action', 'What', 'incident_update.approve'],
  ['subject_type', 'Subject type', 'incident'],
  ['subject_id', 'Subject id', ''],
] as const;

type Filter = Partial<Record<(typeof filters)[number][0] | 'page', string>>;

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function entry(e: AuditEntryView): Html {
  return html`<li class="card"><p>${when(e.at)} <strong>${e.actor}</strong> ${e.action} · ${e.subject_type}${
    e.subject_id && html` ${e.subject_id}`
  }</p>
<p class="muted">${e.source && html`from ${e.source}`}${e.request_id && html` · request ${e.request_id}`}</p>
${
  (e.before !== null || e.after !== null) &&
  html`<details><summary>Before and after</summary>${e.before !== null && html`<pre class="preview">${json(e.before)}</pre>`}${
    e.after !== null && html`<pre class="preview">${json(e.after)}</pre>`
  }</details>`
}</li>`;
}

export function auditRoutes(base: BaseCtx) {
  return async (app: FastifyInstance) => {
    app.get<{ Querystring: Filter }>('/console/audit', async (req, reply) => {
      const user = req.consoleUser as SessionUser;
      const given: Record<string, string> = {};
      for (const [name] of filters) {
        const value = req.query[name];
        if (typeof value === 'string' && value.trim() !== '') given[name] = value.trim();
      }
      const form = html`<form class="stack" method="get" action="/console/audit" role="search">${filters.map(
        ([name, label, example]) =>
          html`<label>${label} <input name="${name}" value="${given[name] ?? ''}" maxlength="200"${example && html` placeholder="${example}"`}></label>`,
      )}<button type="submit" class="secondary">Filter</button></form>`;
      let main: Html;
      let status = 200;
      let notice: { kind: 'error'; text: string } | undefined;
      try {
        const query = AuditQuery.parse({ ...given, page: req.query.page ?? '1', per_page: PER_PAGE });
        const found = await listAudit(personCtx(base, req), query);
        const pages = Math.max(1, Math.ceil(found.total / PER_PAGE));
        const link = (p: number) => `/console/audit?${new URLSearchParams({ ...given, page: String(p) })}`;
        main = html`<p class="muted">${found.total} entries${pages > 1 && html`, page ${query.page} of ${pages}`}.</p>
<ul class="cards">${found.items.map(entry)}</ul>
${pageLinks(query.page, pages, link)}`;
      } catch (err) {
        const refused = refusal(err);
        if (refused === null) throw err;
        status = refused.status;
        notice = { kind: 'error', text: refused.text };
        main = html``;
      }
      return sendPage(reply, status, {
        title: 'Audit log',
        user,
        notice,
        main: html`<h1>Audit log</h1>${form}${main}`,
      });
    });
  };
}
