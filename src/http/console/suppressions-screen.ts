/**
 * Suppressed contacts (`subscriber.read`): addresses and numbers a
 * provider reported as bounced, complaining or undeliverable, which hear
 * nothing more, newest first and searchable, with the provider's detail;
 * those still counting soft bounces on request. Admins (`suppression.clear`)
 * clear one, so its contact hears again (`DELETE /api/v1/suppressions/:id`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../../domain/permissions.ts';
import {
  clearSuppression,
  listSuppressions,
  SuppressionQuery,
  type SuppressionView,
} from '../../services/suppressions/suppressions.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html, type Page } from './html.ts';
import { actThenShow, noticeOf, personCtx, refusal, sendPage } from './page.ts';
import { options, pageLinks, post, when, words } from './parts.ts';

const done = { cleared: 'Cleared: the contact hears again.' } as const;
const PER_PAGE = 50;
const states = ['suppressed', 'counting', 'all'] as const;

type Query = { Querystring: { done?: string; q?: string; state?: string; page?: string } };

function item(s: SuppressionView, mayClear: boolean): Html {
  return html`<li class="card"><h3>${s.contact}</h3>
<p class="muted">${s.kind} · ${words(s.reason)} from ${s.source} · ${
    s.suppressed ? html`suppressed ${when(s.suppressed_at)}` : `${s.soft_bounces} soft bounces so far`
  } · last ${when(s.last_at)}</p>
${s.detail && html`<pre class="preview">${s.detail}</pre>`}
${mayClear && html`<div class="actions">${post(`/console/suppressions/${s.id}/clear`, 'Clear', '', 'secondary')}</div>`}</li>`;
}

export function suppressionRoutes(base: BaseCtx) {
  async function show(
    req: FastifyRequest<Query>,
    reply: FastifyReply,
    status: number,
    notice: Page['notice'],
  ) {
    const user = req.consoleUser as SessionUser;
    const given = {
      q: req.query.q?.trim() ?? '',
      state: (states as readonly string[]).includes(req.query.state ?? '')
        ? (req.query.state as string)
        : 'suppressed',
    };
    const form = html`<form class="stack" method="get" action="/console/suppressions" role="search">
<label>Address or number <input name="q" value="${given.q}" maxlength="200"></label>
<div class="field"><label for="suppression-state">Which</label><select id="suppression-state" name="state">${options(states, given.state)}</select></div>
<button type="submit" class="secondary">Search</button></form>`;
    let body: Html = html``;
    try {
      const query = SuppressionQuery.parse({
        ...(given.q && { q: given.q }),
        state: given.state,
        page: req.query.page ?? '1',
        per_page: PER_PAGE,
      });
      const found = await listSuppressions(personCtx(base, req), query);
      const pages = Math.max(1, Math.ceil(found.total / PER_PAGE));
      const link = (p: number) =>
        `/console/suppressions?${new URLSearchParams({ ...given, page: String(p) })}`;
      const mayClear = can(user.role, 'suppression.clear');
      body = html`<p class="muted">${found.total} contacts${pages > 1 && html`, page ${query.page} of ${pages}`}.</p>
${found.items.length > 0 && html`<ul class="cards">${found.items.map((s) => item(s, mayClear))}</ul>`}
${pageLinks(query.page, pages, link)}`;
    } catch (err) {
      const refused = refusal(err);
      if (refused === null) throw err;
      status = refused.status;
      notice = { kind: 'error', text: refused.text };
    }
    return sendPage(reply, status, {
      title: 'Suppressed contacts',
      user,
      notice,
      main: html`<h1>Suppressed contacts</h1>
<p class="muted">Bounced, complaining or undeliverable contacts hear nothing more until cleared.</p>${form}${body}`,
    });
  }

  return async (app: FastifyInstance) => {
    app.get<Query>('/console/suppressions', async (req, reply) =>
      show(req, reply, 200, noticeOf(done, req.query.done)),
    );
    app.post<{ Params: { id: string } }>('/console/suppressions/:id/clear', async (req, reply) =>
      actThenShow(
        reply,
        '/console/suppressions',
        'cleared',
        () => clearSuppression(personCtx(base, req), req.params.id),
        (status, notice) => show(req as unknown as FastifyRequest<Query>, reply, status, notice),
      ),
    );
  };
}
