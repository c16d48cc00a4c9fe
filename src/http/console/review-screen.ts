/**
 * An incident's communication review (`GET /api/v1/incidents/:id/review`)
 * as a console screen: its scores against the plan's targets, every
 * message with who wrote, approved, rejected and corrected it, deliveries
 * per channel, unsubscribes, what customers and the team said, and each
 * chart's figures as a table. Read-only; every word people or the plan
 * wrote is escaped.
 */
import type { FastifyInstance } from 'fastify';
import { scoreRows } from '../../domain/scores.ts';
import type { FeedbackSummary } from '../../services/feedback/summary.ts';
import { type IncidentReview, incidentReview } from '../../services/review/review.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html } from './html.ts';
import { personCtx, sendPage } from './page.ts';
import { dataTable, when, words } from './parts.ts';

type Message = IncidentReview['messages'][number];

const by = (list: readonly { actor: string; at: string }[]) =>
  list.map((d, i) => html`${i > 0 && ', '}${d.actor} (${when(d.at)})`);

function message(m: Message): Html {
  return html`<li class="card"><h3>${when(m.published_at ?? m.created_at)}: ${m.audience}, ${words(m.status)} <span class="badge">${words(m.state)}</span></h3>
<p class="muted">Written by ${m.written_by}${m.approved_by.length > 0 && html`; approved by ${by(m.approved_by)}`}${
    m.published_unapproved && '; published unapproved when the approval timed out'
  }${m.rejected_by.length > 0 && html`; rejected by ${by(m.rejected_by)}`}${m.lint_override && '; sent despite lint'}${
    m.corrected_by.length > 0 && html`; corrected by ${by(m.corrected_by)}`
  }.</p>
<pre class="preview">${m.body}</pre></li>`;
}

/** Customers' votes per update with their comments (never published), and the team's ratings and tickets. */
function feedbackSection(f: FeedbackSummary, messages: readonly Message[]): Html {
  const votes = f.helpful + f.not_helpful;
  const published = new Map(messages.map((m) => [m.id, m.published_at ?? m.created_at]));
  const t = f.team;
  return html`<h2 id="feedback">Feedback</h2>
<h3>From customers</h3>
${
  votes === 0
    ? html`<p class="muted">No customer voted.</p>`
    : html`<p>${f.helpful} of ${votes} votes said the updates helped.</p>${dataTable(
        'Votes per update',
        ['update published', 'helpful', 'not helpful'],
        f.updates.map((u) => [published.get(u.update_id) ?? u.update_id, u.helpful, u.not_helpful]),
      )}<ul class="cards">${f.updates.flatMap((u) =>
        u.comments.map(
          (c) =>
            html`<li class="card"><p class="muted">${c.helpful ? 'Helpful' : 'Not helpful'}, ${when(c.at)}</p><blockquote>${c.comment}</blockquote></li>`,
        ),
      )}</ul>`
}
<h3>From the team</h3>
<p>${
    t.ratings === 0
      ? 'The team gave no rating.'
      : `The team rated the communication ${t.average_rating?.toFixed(1)} of 5 (${t.ratings} ratings).`
  } Support tickets about the incident: ${t.support_tickets}.</p>
${
  t.entries.length > 0 &&
  html`<ul class="cards">${t.entries.map(
    (e) =>
      html`<li class="card"><p class="muted">${when(e.created_at)}${e.rating !== null && html` · rated ${e.rating} of 5`}${
        e.support_tickets !== null && html` · ${e.support_tickets} support tickets`
      }</p>${e.comment && html`<blockquote>${e.comment}</blockquote>`}</li>`,
  )}</ul>`
}`;
}

function reviewPage(r: IncidentReview): Html {
  const i = r.incident;
  return html`<h1>Review: ${i.name}</h1>
<p><a href="/console/incidents/${i.incident_id}">Back to the incident</a> · <a href="/api/v1/incidents/${i.incident_id}/review?format=md">As Markdown</a></p>
<dl class="facts"><dt>Kind</dt><dd>${i.drill ? `drill at speed ${r.scores.speed}` : 'incident'}</dd>
<dt>Severity</dt><dd>${i.severity ?? '—'}</dd><dt>Status</dt><dd>${words(i.status)}</dd>
<dt>Declared</dt><dd>${when(i.declared_at)}</dd><dt>Resolved</dt><dd>${when(i.resolved_at)}</dd>
<dt>Plan version</dt><dd>${i.plan_version ?? '—'}</dd></dl>
<h2>Scores</h2>
${dataTable(
  'Scores against the plan',
  ['measure', 'value', 'target'],
  scoreRows(r.scores).map((s) => [s.measure, s.value, s.target || '—']),
)}
<h2>Messages</h2>
${r.messages.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="cards">${r.messages.map(message)}</ul>`}
<h2>Deliveries</h2>
${
  r.deliveries.length === 0
    ? html`<p class="muted">None.</p>`
    : dataTable(
        'Deliveries per channel',
        ['channel', 'total', 'sent', 'by fallback', 'gave up', 'waiting'],
        r.deliveries.map((d) => [d.channel, d.total, d.sent, d.fallback, d.dead, d.waiting]),
      )
}
<p>Unsubscribes while it ran: ${r.unsubscribes.total}${
    r.unsubscribes.total > 0 &&
    html` (${Object.entries(r.unsubscribes.by_how)
      .map(([how, n]) => `${n} by ${how}`)
      .join(', ')})`
  }.</p>
${feedbackSection(r.feedback, r.messages)}
<h2>Charts</h2>
${r.charts.map((c) => dataTable(c.title, c.table.columns, c.table.rows))}
<p class="muted">Made ${when(r.generated_at)}.</p>`;
}

export function reviewRoutes(base: BaseCtx) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { id: string } }>('/console/incidents/:id/review', async (req, reply) => {
      const review = await incidentReview(personCtx(base, req), req.params.id);
      return sendPage(reply, 200, {
        title: `Review: ${review.incident.name}`,
        user: req.consoleUser as SessionUser,
        live: { kinds: ['incident', 'delivery'], subject: req.params.id },
        main: reviewPage(review),
      });
    });
  };
}
