/**
 * The communication report (`GET /api/v1/reports/communication`) as a
 * console screen: real incidents of a period (90 days up to now unless
 * asked), time to first notice and cadence kept per severity and scenario
 * over the last 30 and 90 days, channels by how often they gave up,
 * templates by customers' votes, and incidents by plan version, each
 * linking to its review. Read-only.
 */
import type { FastifyInstance } from 'fastify';
import { formatDuration } from '../../domain/duration.ts';
import { type CommunicationReport, communicationReport } from '../../services/review/trends.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html, type Page } from './html.ts';
import { personCtx, refusal, sendPage } from './page.ts';
import { dataTable, utcInstant, when } from './parts.ts';

type Group = CommunicationReport['periods'][number]['by_severity'][number];

const share = (n: number | null) => (n === null ? null : `${Math.round(n * 100)}%`);

function groups(caption: string, list: readonly Group[]): Html {
  return dataTable(
    caption,
    [
      '',
      'incidents',
      'first notice (median)',
      'first notice in time',
      'late',
      'updates on time',
      'adherence',
    ],
    list.map((g) => [
      g.key ?? 'none',
      g.incidents,
      g.first_notice_median_ms === null ? null : formatDuration(g.first_notice_median_ms),
      g.first_notice_met,
      g.first_notice_missed,
      `${g.updates_on_time} of ${g.updates_due}`,
      share(g.adherence),
    ]),
  );
}

function reportPage(r: CommunicationReport): Html {
  return html`<p class="muted">${r.incidents} real incidents declared from ${when(r.from)} to ${when(r.to)} (drills left out).</p>
${r.periods.map(
  (p) => html`<h2>The last ${p.days} days</h2>
${groups(`By severity, last ${p.days} days`, p.by_severity)}${groups(`By scenario, last ${p.days} days`, p.by_scenario)}`,
)}
<h2>Channels</h2>
${
  r.channels.length === 0
    ? html`<p class="muted">No delivery.</p>`
    : dataTable(
        'Channels, the highest dead rate first',
        ['channel', 'total', 'sent', 'gave up', 'by fallback', 'dead rate'],
        r.channels.map((c) => [c.channel, c.total, c.sent, c.dead, c.fallback, share(c.dead_rate)]),
      )
}
<h2>Templates by customers' votes</h2>
${
  r.templates.length === 0
    ? html`<p class="muted">No customer voted on a scenario's words.</p>`
    : dataTable(
        'Templates, the most helpful first',
        ['scenario and status', 'helpful', 'not helpful', 'helpful share'],
        r.templates.map((t) => [
          `${t.scenario}: ${t.status}`,
          t.helpful,
          t.unhelpful,
          share(t.helpful_share),
        ]),
      )
}
<h2>Incidents by plan version</h2>
${
  r.plan_versions.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<ul>${r.plan_versions.map(
        (v) =>
          html`<li>${v.version === null ? 'no plan' : `version ${v.version}`}: ${v.incidents.map(
            (id, i) => html`${i > 0 && ', '}<a href="/console/incidents/${id}/review">${id}</a>`,
          )}</li>`,
      )}</ul>`
}`;
}

type ReportParams = { Querystring: { from?: string; to?: string } };

export function reportRoutes(base: BaseCtx) {
  return async (app: FastifyInstance) => {
    app.get<ReportParams>('/console/report', async (req, reply) => {
      const typed = { from: req.query.from?.trim() ?? '', to: req.query.to?.trim() ?? '' };
      const form = html`<form class="stack" method="get" action="/console/report" role="search">
<label>From <span class="muted">(UTC)</span> <input type="datetime-local" name="from" value="${typed.from}"></label>
<label>To <span class="muted">(UTC)</span> <input type="datetime-local" name="to" value="${typed.to}"></label>
<button type="submit" class="secondary">Show</button></form>`;
      let status = 200;
      let notice: Page['notice'];
      let body: Html = html``;
      try {
        const report = await communicationReport(personCtx(base, req), {
          ...(typed.from && { from: utcInstant(typed.from) }),
          ...(typed.to && { to: utcInstant(typed.to) }),
        });
        body = reportPage(report);
      } catch (err) {
        const refused = refusal(err);
        if (refused === null) throw err;
        status = refused.status;
        notice = { kind: 'error', text: refused.text };
      }
      return sendPage(reply, status, {
        title: 'Communication report',
        user: req.consoleUser as SessionUser,
        notice,
        main: html`<h1>Communication report</h1>${form}${body}`,
      });
    });
  };
}
