/**
 * The war room's panels: who holds each role (reassignable), the ETA, the
 * affected components' statuses, the support brief with a copy button,
 * delivery progress, what people post about it on social networks.
 */
import { componentStatuses } from '../../domain/components.ts';
import { can, type Role } from '../../domain/permissions.ts';
import type { IncidentSentiment } from '../../services/sentiment/report.ts';
import type { IncidentView } from '../../services/views.ts';
import { type Html, html } from './html.ts';
import { options, words } from './parts.ts';

const roleLabels = [
  ['incident_lead', 'Incident lead'],
  ['comms_lead', 'Comms lead'],
  ['support_lead', 'Support lead'],
] as const;

export function rolesPanel(role: Role, incident: IncidentView): Html {
  if (!can(role, 'incident.assign_roles')) {
    return html`<dl class="facts">${roleLabels.map(
      ([key, label]) => html`<dt>${label}</dt><dd>${incident.roles[key] ?? '—'}</dd>`,
    )}</dl>`;
  }
  return html`<form class="stack" method="post" action="/console/incidents/${incident.id}/roles">
${roleLabels.map(
  ([key, label]) =>
    html`<label>${label} <input name="${key}" value="${incident.roles[key] ?? ''}" maxlength="200" autocomplete="off"></label>`,
)}
<button type="submit" class="secondary">Reassign</button></form>`;
}

/** A button the console's script reveals and wires to the clipboard; without the script there is nothing to press. */
export function copyButton(target: string, label = 'Copy'): Html {
  return html`<button type="button" class="secondary copy" data-copy="${target}" hidden>${label}</button>`;
}

export function briefPanel(text: string): Html {
  return html`<details class="card"><summary><strong>Support brief</strong> <span class="muted">(the same facts customers see)</span></summary>
<pre class="preview" id="support-brief">${text}</pre>${copyButton('support-brief', 'Copy the brief')}</details>`;
}

/** The ETA (when the fix is expected), changeable by those who post updates; typed in UTC. */
export function etaForm(role: Role, incident: IncidentView): Html | string {
  if (!can(role, 'incident.update')) return '';
  const value = incident.eta === null ? '' : incident.eta.slice(0, 16);
  return html`<form class="stack" method="post" action="/console/incidents/${incident.id}/eta">
<label>ETA, in UTC <span class="muted">(blank: not known)</span> <input type="datetime-local" name="eta" value="${value}"></label>
<button type="submit" class="secondary">Set ETA</button></form>`;
}

/** The affected components and their statuses, settable now by those who may move components. */
export function componentsPanel(role: Role, incident: IncidentView): Html {
  if (incident.components.length === 0)
    return html`<p class="muted">No component is linked to this incident.</p>`;
  if (!can(role, 'component.status')) {
    return html`<dl class="facts">${incident.components.map(
      (c) => html`<dt>${c.name}</dt><dd>${words(c.status)}</dd>`,
    )}</dl>`;
  }
  return html`<form class="stack" method="post" action="/console/incidents/${incident.id}/components">
${incident.components.map(
  (c) =>
    html`<label>${c.name} <select name="status:${c.id}">${options(componentStatuses, c.status)}</select></label>`,
)}
<button type="submit" class="secondary">Set statuses</button></form>`;
}

/** The sentiment watch's counts, the latest 10-minute buckets first; nothing when nothing was read. */
export function sentimentPanel(sentiment: IncidentSentiment): Html | string {
  const t = sentiment.totals;
  if (t.mentions === 0) return '';
  const latest = sentiment.buckets.slice(-12).reverse();
  return html`<h2>Social mentions</h2>
<p>${t.mentions} mentions: ${t.negative} negative, ${t.neutral} neutral, ${t.positive} positive <span class="muted">(mean score ${t.average_score ?? '—'})</span></p>
<table class="sentiment"><thead><tr><th scope="col">From (UTC)</th><th scope="col">Mentions</th><th scope="col">Negative</th><th scope="col">Neutral</th><th scope="col">Positive</th><th scope="col">Mean score</th></tr></thead>
<tbody>${latest.map(
    (b) =>
      html`<tr><td>${b.start.slice(0, 16).replace('T', ' ')}</td><td>${b.mentions}</td><td>${b.negative}</td><td>${b.neutral}</td><td>${b.positive}</td><td>${b.average_score ?? '—'}</td></tr>`,
  )}</tbody></table>`;
}
