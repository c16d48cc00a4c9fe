/**
 * One incident's page, the war room: its facts with the countdown to each
 * audience's next update and the ETA, the affected components, roles, the
 * support brief, drafts with their previews, what was published with its
 * delivery progress, social mentions, and the timeline of everything done to it.
 */
import { incidentStatuses } from '../../domain/incidents.ts';
import { englishNames, type PageLanguage } from '../../domain/languages.ts';
import { can } from '../../domain/permissions.ts';
import type { DeliveryFailure } from '../../services/incidents/delivery-failures.ts';
import type { TimelineEntry } from '../../services/incidents/timeline.ts';
import type { IncidentSentiment } from '../../services/sentiment/report.ts';
import type { UpdateDeliveryCounts } from '../../services/subscribers/queries.ts';
import type { UpdatePreview } from '../../services/updates/preview.ts';
import type { DraftView } from '../../services/updates/views.ts';
import type { IncidentUpdateView, IncidentView } from '../../services/views.ts';
import { draftCard } from './composer.ts';
import { deliveryPanel } from './delivery-panel.ts';
import { type Html, html } from './html.ts';
import { options, when, words } from './parts.ts';
import { previewSlot } from './previews.ts';
import { deadlines, type Me, type PlanChoices } from './views.ts';
import { briefPanel, componentsPanel, copyButton, etaForm, rolesPanel, sentimentPanel } from './war-room.ts';

/** What each timeline entry says happened, after who did it. */
const done: Record<string, string> = {
  'incident.declare': 'declared the incident',
  'incident.edit': 'edited the incident',
  'incident.assign_roles': 'reassigned roles',
  'incident.set_components': 'set component statuses',
  'incident.update': 'published an update',
  'incident.resolve': 'published the resolution',
  'incident_update.draft': 'drafted an update',
  'incident_update.edit_draft': 'edited a draft',
  'incident_update.submit': 'submitted a draft for approval',
  'incident_update.approve': 'approved a draft',
  'incident_update.reject': 'rejected a draft',
  'incident_update.discard': 'discarded a draft',
  'incident_update.withdraw': 'withdrew a draft',
  'incident_update.edit': 'corrected a published update',
  'incident_update.publish_unapproved': 'published a draft nobody approved in time',
  'delivery.replay': 'replayed failed deliveries',
  'component.status': 'component moved',
};

export interface WarRoom {
  brief: string;
  deliveries: Record<string, UpdateDeliveryCounts>;
  /** Failed and dead deliveries, by update. */
  failures: Record<string, DeliveryFailure[]>;
  timeline: TimelineEntry[];
  now: Date;
  /** Whether the person may send a draft despite lint, with a reason (the comms lead). */
  mayOverride: boolean;
  /** What the sentiment watch read, per 10 minutes. */
  sentiment: IncidentSentiment;
}

function timelineList(entries: TimelineEntry[]): Html {
  if (entries.length === 0) return html`<p class="muted">Nothing yet.</p>`;
  return html`<ol class="timeline">${entries.map(
    (e) =>
      html`<li>${when(e.at)} ${e.actor && html`<strong>${e.actor}</strong> `}${done[e.action] ?? e.action}${
        e.update_id && html` <a href="#u-${e.update_id}">(update)</a>`
      }${e.note && html`: <q>${e.note}</q>`}</li>`,
  )}</ol>`;
}

function publishedCard(me: Me, incidentId: string, u: IncidentUpdateView, war: WarRoom) {
  return html`<li class="card" id="u-${u.id}"><p class="muted">${when(u.published_at ?? u.display_at)} · ${u.audience} · ${words(u.status)}</p>
<p class="body" id="body-${u.id}">${u.body}</p>${deliveryPanel(me.role, incidentId, war.deliveries[u.id], war.failures[u.id] ?? [])}
<div class="actions">${copyButton(`body-${u.id}`)}</div></li>`;
}

function newDraftForm(incident: IncidentView, audiences: string[], others: readonly PageLanguage[]): Html {
  const next =
    incident.status === 'postmortem' ? ['postmortem'] : incidentStatuses.filter((s) => s !== 'postmortem');
  return html`<form class="stack" method="post" action="/console/incidents/${incident.id}/drafts">
<div class="field"><label for="draft-audience">Audience</label><select id="draft-audience" name="audience">${options(audiences.length > 0 ? audiences : ['public'], 'public')}</select></div>
<div class="field"><label for="draft-status">Status it announces</label><select id="draft-status" name="status">${options(next, incident.status)}</select></div>
<label>Message <span class="muted">(blank: the scenario's template)</span><textarea name="body" maxlength="10000" data-preview="/console/incidents/${incident.id}/drafts/preview" data-preview-into="draft-preview"></textarea></label>
${others.map(
  (l) =>
    html`<label>Message in ${englishNames[l]} <span class="muted">(blank: the scenario's template in it)</span><textarea name="translation.${l}" lang="${l}" dir="${l === 'ar' ? 'rtl' : 'ltr'}" maxlength="10000"></textarea></label>`,
)}
${previewSlot('draft-preview')}
<button type="submit" class="secondary">New draft</button></form>`;
}

export function incidentPage(
  me: Me,
  incident: IncidentView,
  drafts: { draft: DraftView; preview: UpdatePreview }[],
  plan: Pick<PlanChoices, 'audiences' | 'languages'>,
  war: WarRoom,
): Html {
  const published = incident.incident_updates.filter((u) => u.state === 'published');
  return html`<p><a href="/console">← Now</a> · <a href="/console/incidents/${incident.id}/review">Communication review and feedback</a></p>
<h1>${incident.name}</h1>
<dl class="facts">
<dt>Status</dt><dd>${words(incident.status)}</dd>
<dt>Severity</dt><dd>${incident.severity ?? '—'}</dd>
<dt>Impact</dt><dd>${incident.impact}</dd>
<dt>ETA</dt><dd>${when(incident.eta)}</dd>
</dl>
${deadlines(incident, war.now)}
${etaForm(me.role, incident)}
<h2>Components</h2>
${componentsPanel(me.role, incident)}
<h2>Roles</h2>
${rolesPanel(me.role, incident)}
${briefPanel(war.brief)}
${sentimentPanel(war.sentiment)}
<h2>Drafts</h2>
${can(me.role, 'incident.update') && newDraftForm(incident, plan.audiences, plan.languages.slice(1))}
${
  drafts.length === 0
    ? html`<p class="muted">No draft.</p>`
    : html`<ul class="cards">${drafts.map((d) => draftCard(me, incident.id, d.draft, d.preview, war.mayOverride, plan.languages))}</ul>`
}
<h2>Published</h2>
${
  published.length === 0
    ? html`<p class="muted">Nothing published yet.</p>`
    : html`<ul class="cards">${published.map((u) => publishedCard(me, incident.id, u, war))}</ul>`
}
<h2>Timeline</h2>
${timelineList(war.timeline)}`;
}
