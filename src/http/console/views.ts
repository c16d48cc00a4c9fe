/** The console's incident screens as HTML: the Now screen and one incident with its drafts. */
import { type Action, can, type Role } from '../../domain/permissions.ts';
import type { UpdateDeliveryCounts } from '../../services/subscribers/queries.ts';
import type { UpdatePreview } from '../../services/updates/preview.ts';
import type { DraftView } from '../../services/updates/views.ts';
import type { IncidentView } from '../../services/views.ts';
import { type Html, html } from './html.ts';
import { briefPanel, deliveryLine, rolesPanel } from './war-room.ts';

export interface PlanChoices {
  scenarios: string[];
  severities: string[];
  audiences: string[];
}

export interface ComponentChoice {
  id: string;
  name: string;
}

const componentStatuses = ['degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];

const words = (text: string) => text.replaceAll('_', ' ');

function when(iso: string | null): Html | string {
  if (iso === null) return '—';
  return html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;
}

function options(values: readonly string[], selected: string | undefined, blank?: string): Html {
  return html`${blank !== undefined && html`<option value="">${blank}</option>`}${values.map(
    (v) => html`<option value="${v}"${selected === v ? html` selected` : ''}>${words(v)}</option>`,
  )}`;
}

function declareForm(plan: PlanChoices, components: ComponentChoice[]): Html {
  return html`<details class="card"><summary><strong>Declare an incident</strong></summary>
<form class="stack" method="post" action="/console/incidents">
<label>What is wrong <input name="name" required maxlength="200"></label>
${plan.scenarios.length > 0 && html`<div class="field"><label for="declare-scenario">Scenario</label><select id="declare-scenario" name="scenario">${options(plan.scenarios, undefined, 'none')}</select></div>`}
${plan.severities.length > 0 && html`<div class="field"><label for="declare-severity">Severity</label><select id="declare-severity" name="severity">${options(plan.severities, undefined, 'from the scenario')}</select></div>`}
${
  components.length > 0 &&
  html`<fieldset><legend>Affected components</legend>${components.map(
    (c) =>
      html`<label class="inline"><input type="checkbox" name="component" value="${c.id}"> ${c.name}</label>`,
  )}<div class="field"><label for="declare-status">Their status</label><select id="declare-status" name="component_status">${options(componentStatuses, 'partial_outage')}</select></div></fieldset>`
}
<label>First words <span class="muted">(blank: the scenario's template)</span><textarea name="body" maxlength="10000"></textarea></label>
<button type="submit">Declare</button>
</form></details>`;
}

export function nowPage(
  role: Role,
  incidents: IncidentView[],
  plan: PlanChoices,
  components: ComponentChoice[],
): Html {
  const waiting = incidents.flatMap((i) =>
    i.incident_updates.filter((u) => u.state === 'pending_approval').map((u) => ({ incident: i, update: u })),
  );
  return html`<h1>Now</h1>
${can(role, 'incident.declare') && declareForm(plan, components)}
<h2>Open incidents</h2>
${
  incidents.length === 0
    ? html`<p class="muted">No open incident.</p>`
    : html`<ul class="cards">${incidents.map(
        (i) => html`<li class="card"><h3><a href="/console/incidents/${i.id}">${i.name}</a></h3>
<p><span class="badge">${words(i.status)}</span> ${i.severity && html`<span class="badge">${i.severity}</span>`}
${i.drill && html`<span class="badge">drill</span>`} Next update due: ${when(i.next_update_due_at)}</p></li>`,
      )}</ul>`
}
<h2>Waiting for approval</h2>
${
  waiting.length === 0
    ? html`<p class="muted">Nothing waits for approval.</p>`
    : html`<ul class="cards">${waiting.map(
        (
          w,
        ) => html`<li class="card"><a href="/console/incidents/${w.incident.id}#u-${w.update.id}">${w.incident.name}</a>:
${w.update.audience}, ${words(w.update.status)}</li>`,
      )}</ul>`
}`;
}

function post(action: string, label: string, fields: Html | string = '', kind = ''): Html {
  return html`<form method="post" action="${action}">${fields}<button type="submit"${kind && html` class="${kind}"`}>${label}</button></form>`;
}

function previewOf(preview: UpdatePreview): Html {
  if (preview.channels.length === 0)
    return html`<p class="muted">No channel in the plan for this audience.</p>`;
  return html`${preview.channels.map(
    (
      c,
    ) => html`<details><summary>${c.channel} <span class="muted">(${c.type})</span>${c.fits ? '' : html` <strong>too long</strong>`}</summary>
${c.subject !== null && html`<p><strong>Subject:</strong> ${c.subject}</p>`}
<pre class="preview">${c.text}</pre>
<p class="muted">${c.length}${c.limit !== null && html` of ${c.limit}`} ${c.unit}${c.segments !== null && html`, ${c.segments} segment(s)`}${c.encoding !== null && html`, ${c.encoding}`}</p>
</details>`,
  )}`;
}

function draftCard(me: Me, incidentId: string, d: DraftView, preview: UpdatePreview): Html {
  const { role } = me;
  const base = `/console/incidents/${incidentId}/updates/${d.id}`;
  const may = (action: Action) => can(role, action);
  const editable = d.state === 'draft' || d.state === 'rejected' || d.state === 'pending_approval';
  return html`<li class="card" id="u-${d.id}">
<h3>${words(d.state)}: ${d.audience}, ${words(d.status)}</h3>
<p class="muted">By ${d.created_by}, ${when(d.created_at)}</p>
${
  editable && may('incident.update')
    ? html`<form class="stack" method="post" action="${base}/edit">
<label>Message <textarea name="body" required maxlength="10000">${d.body}</textarea></label>
<button type="submit" class="secondary">Save</button></form>`
    : html`<pre class="preview">${d.body}</pre>`
}
${
  d.lint.length > 0 &&
  html`<div><strong>Lint</strong><ul>${d.lint.map((p) => html`<li>${p.message}${p.match && html` (“${p.match}”)`}</li>`)}</ul></div>`
}
${d.lint_override && html`<p>Sent despite lint by ${d.lint_override.by}: ${d.lint_override.reason}</p>`}
${
  d.decisions.length > 0 &&
  html`<ul>${d.decisions.map((x) => html`<li>${x.actor} ${x.decision === 'approve' ? 'approved' : 'rejected'}${x.comment && html`: ${x.comment}`}</li>`)}</ul>`
}
<h4>Preview per channel</h4>
${previewOf(preview)}
<div class="actions">
${
  (d.state === 'draft' || d.state === 'rejected') &&
  may('incident.update') &&
  html`${post(
    `${base}/submit`,
    'Submit',
    d.lint.length > 0
      ? html`<label>Reason to send despite lint <input name="lint_override" maxlength="1000"></label>`
      : '',
  )}${post(`${base}/discard`, 'Discard', '', 'secondary')}`
}
${
  d.state === 'pending_approval' &&
  may('update.approve') &&
  // The author cannot approve their own words (the service refuses it too).
  d.created_by !== me.actor &&
  html`${post(`${base}/approve`, 'Approve')}${post(
    `${base}/reject`,
    'Reject',
    html`<label>What to change <input name="comment" required maxlength="2000"></label>`,
    'secondary',
  )}`
}
${d.state === 'approved' && may('update.publish') && post(`${base}/publish`, 'Publish')}
</div></li>`;
}

/** Who looks at the page: their role, and the actor id the audit log and authorship use. */
export interface Me {
  role: Role;
  actor: string;
}

export function incidentPage(
  me: Me,
  incident: IncidentView,
  drafts: { draft: DraftView; preview: UpdatePreview }[],
  audiences: string[],
  war: { brief: string; deliveries: Record<string, UpdateDeliveryCounts> },
): Html {
  const published = incident.incident_updates.filter((u) => u.state === 'published');
  return html`<p><a href="/console">← Now</a></p>
<h1>${incident.name}</h1>
<dl class="facts">
<dt>Status</dt><dd>${words(incident.status)}</dd>
<dt>Severity</dt><dd>${incident.severity ?? '—'}</dd>
<dt>Impact</dt><dd>${incident.impact}</dd>
<dt>Next update due</dt><dd>${when(incident.next_update_due_at)}</dd>
</dl>
<h2>Roles</h2>
${rolesPanel(me.role, incident)}
${briefPanel(war.brief)}
<h2>Drafts</h2>
${
  can(me.role, 'incident.update') &&
  html`<form class="actions" method="post" action="/console/incidents/${incident.id}/drafts">
<div class="field"><label for="draft-audience">Audience</label><select id="draft-audience" name="audience">${options(audiences.length > 0 ? audiences : ['public'], 'public')}</select></div>
<label>Message <span class="muted">(blank: the scenario's template)</span><textarea name="body" maxlength="10000"></textarea></label>
<button type="submit" class="secondary">New draft</button></form>`
}
${
  drafts.length === 0
    ? html`<p class="muted">No draft.</p>`
    : html`<ul class="cards">${drafts.map((d) => draftCard(me, incident.id, d.draft, d.preview))}</ul>`
}
<h2>Timeline</h2>
${
  published.length === 0
    ? html`<p class="muted">Nothing published yet.</p>`
    : html`<ul class="cards">${published.map(
        (
          u,
        ) => html`<li class="card"><p class="muted">${when(u.published_at ?? u.display_at)} · ${u.audience} · ${words(u.status)}</p>
<p class="body">${u.body}</p>${deliveryLine(war.deliveries[u.id])}</li>`,
      )}</ul>`
}`;
}
