/** The war room's side panels: who holds each role (reassignable), the support brief, delivery progress. */
import { can, type Role } from '../../domain/permissions.ts';
import type { UpdateDeliveryCounts } from '../../services/subscribers/queries.ts';
import type { IncidentView } from '../../services/views.ts';
import { type Html, html } from './html.ts';

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

export function briefPanel(text: string): Html {
  return html`<details class="card"><summary><strong>Support brief</strong> <span class="muted">(the same facts customers see)</span></summary>
<pre class="preview">${text}</pre></details>`;
}

export function deliveryLine(counts: UpdateDeliveryCounts | undefined): Html | string {
  if (counts === undefined || counts.total === 0) return '';
  const sent = counts.by_state.sent ?? 0;
  const failed = (counts.by_state.failed ?? 0) + (counts.by_state.dead ?? 0);
  return html`<p class="muted">Delivered ${sent} of ${counts.total} (${Math.floor((sent * 100) / counts.total)}%)${
    failed > 0 && html`, <strong>${failed} failing</strong>`
  }: ${Object.entries(counts.by_channel).map(
    ([channel, states], i) =>
      html`${i > 0 && ', '}${channel} ${states.sent ?? 0}/${Object.values(states).reduce((a, b) => a + b, 0)}`,
  )}</p>`;
}
