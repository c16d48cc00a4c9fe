/** The console's incident screens as HTML: the Now screen and the countdowns. */
import type { PageLanguage } from '../../domain/languages.ts';
import { can, type Role } from '../../domain/permissions.ts';
import type { DeadCount } from '../../services/incidents/delivery-progress.ts';
import type { IncidentView } from '../../services/views.ts';
import { type Html, html } from './html.ts';
import { countdown, options, post, words } from './parts.ts';
import { previewSlot } from './previews.ts';

export interface PlanChoices {
  scenarios: string[];
  severities: string[];
  audiences: string[];
  /** The page's language, then the others the plan writes messages in: a draft has words in each. */
  languages: PageLanguage[];
}

export interface ComponentChoice {
  id: string;
  name: string;
}

const componentStatuses = ['degraded_performance', 'partial_outage', 'major_outage', 'under_maintenance'];

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
<label>First words <span class="muted">(blank: the scenario's template)</span><textarea name="body" maxlength="10000" data-preview="/console/incidents/preview" data-preview-into="declare-preview"></textarea></label>
${previewSlot('declare-preview')}
<button type="submit">Declare</button>
</form></details>`;
}

/** Each external audience's next update, counting down; the public one alone when the plan names no other. */
export function deadlines(incident: IncidentView, now: Date): Html {
  const due =
    incident.deadlines.length > 0
      ? incident.deadlines.map((d) => ({ audience: d.audience, at: d.next_update_due_at }))
      : [{ audience: 'public', at: incident.next_update_due_at }];
  return html`<dl class="facts">${due.map(
    (d) => html`<dt>Next ${d.audience} update</dt><dd>${countdown(d.at, now)}</dd>`,
  )}</dl>`;
}

/** Deliveries that gave up, by incident and channel, and the way to queue them all again. */
function deadList(role: Role, incidents: IncidentView[], dead: readonly DeadCount[]): Html {
  if (dead.length === 0) return html`<p class="muted">No delivery has given up.</p>`;
  const total = dead.reduce((sum, d) => sum + d.n, 0);
  const name = (id: string | null) =>
    incidents.find((i) => i.id === id)?.name ??
    (id === null ? 'maintenance and other notices' : 'a closed incident');
  return html`<ul class="cards">${dead.map(
    (d) =>
      html`<li class="card">${d.n} on ${d.channel} for ${
        d.incident_id !== null && incidents.some((i) => i.id === d.incident_id)
          ? html`<a href="/console/incidents/${d.incident_id}">${name(d.incident_id)}</a>`
          : name(d.incident_id)
      }</li>`,
  )}</ul>${can(role, 'delivery.replay') && post('/console/deliveries/replay', `Replay all ${total}`, '', 'secondary')}`;
}

export function nowPage(
  role: Role,
  incidents: IncidentView[],
  plan: PlanChoices,
  components: ComponentChoice[],
  now: Date,
  dead: readonly DeadCount[],
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
${i.drill && html`<span class="badge">drill</span>`}</p>
${deadlines(i, now)}
<p class="muted">Incident lead: ${i.roles.incident_lead ?? '—'} · comms lead: ${i.roles.comms_lead ?? '—'}</p></li>`,
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
}
<h2>Dead deliveries</h2>
${deadList(role, incidents, dead)}`;
}

/** Who looks at the page: their role, and the actor id the audit log and authorship use. */
export interface Me {
  role: Role;
  actor: string;
}
