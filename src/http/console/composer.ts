/**
 * The war room's composer: a draft with its words, what lint finds in them
 * (each finding with its reason), and how they read on every channel (page,
 * email with its subject, SMS with segments and encoding, chat, a
 * webhook's JSON). The script previews the words as they are typed, from
 * the server (`…/preview`): the same rendering and lint as submitting.
 */
import { englishNames, type PageLanguage } from '../../domain/languages.ts';
import { type Action, can } from '../../domain/permissions.ts';
import type { UpdatePreview } from '../../services/updates/preview.ts';
import type { DraftView } from '../../services/updates/views.ts';
import { type Html, html } from './html.ts';
import { post, when, words } from './parts.ts';
import type { Me } from './views.ts';

const lintLabels: Record<string, string> = {
  missing_impact: 'No impact',
  missing_next_update: 'No next update',
  missing_recovery: 'No recovery',
  missing_scope: 'No scope',
  vague: 'Vague',
  jargon: 'Jargon',
  reading_level: 'Hard to read',
  too_long: 'Too long',
};

type Finding = UpdatePreview['lint'][number];

function findings(lint: readonly Finding[]): Html {
  if (lint.length === 0) return html`<p class="lint-ok">Lint finds nothing to change.</p>`;
  return html`<div class="lint"><strong>Lint: ${lint.length} to change</strong><ul>${lint.map(
    (p) =>
      html`<li><span class="badge">${lintLabels[p.code] ?? words(p.code)}</span>${p.channel && html` <span class="muted">(${words(p.channel)})</span>`} ${p.message}</li>`,
  )}</ul></div>`;
}

type ChannelPreview = UpdatePreview['channels'][number];

/** "1 of 3 segments (31 characters, UCS-2)", "about 12 of 45 seconds to say (160 characters)", "120 of 280 characters". */
function size(c: ChannelPreview): string {
  const of = c.limit === null ? '' : ` of ${c.limit}`;
  if (c.unit === 'seconds' && c.seconds !== null)
    return `about ${c.seconds}${of} seconds to say (${c.length} characters)`;
  if (c.unit === 'segments' && c.segments !== null)
    return `${c.segments}${of} segments (${c.length} characters${c.encoding === null ? '' : `, ${c.encoding}`})`;
  return `${c.length}${of} characters`;
}

function channels(preview: UpdatePreview): Html {
  if (preview.channels.length === 0)
    return html`<p class="muted">No channel in the plan for this audience.</p>`;
  return html`${preview.channels.map(
    (
      c,
    ) => html`<details><summary>${c.channel} <span class="muted">(${c.kind === c.type ? c.kind : `${c.kind}, ${c.type}`})</span>${c.fits ? '' : html` <strong>too long</strong>`}</summary>
${c.subject !== null && html`<p><strong>Subject:</strong> ${c.subject}</p>`}
<pre class="preview">${c.text}</pre>
<p class="muted">${size(c)}</p>
${c.payload !== null && html`<p><strong>JSON body</strong></p><pre class="preview">${c.payload}</pre>`}
</details>`,
  )}`;
}

/**
 * The draft's words side by side, one column per language of the plan: the
 * page's (its findings are in the lint and preview below), then each other
 * language with what lint found in it. A language without words goes out in
 * the page's.
 */
function languageColumns(d: DraftView, languages: readonly PageLanguage[], editable: boolean): Html {
  const [own, ...others] = languages;
  const page = editable
    ? html`<label>Message${others.length > 0 && own && html` in ${englishNames[own]}`} <textarea id="body-${d.id}" name="body" required maxlength="10000" data-preview="/console/incidents/${d.incident_id}/updates/${d.id}/preview" data-preview-into="preview-${d.id}">${d.body}</textarea></label>`
    : html`<pre class="preview">${d.body}</pre>`;
  if (others.length === 0) return page;
  const column = (l: PageLanguage) => {
    const id = `translation-${d.id}-${l}`;
    const words = d.translations[l]?.body ?? '';
    const findings = d.lint.filter((p) => p.language === l);
    const dir = l === 'ar' ? 'rtl' : 'ltr';
    const text = editable
      ? html`<label for="${id}">Message in ${englishNames[l]}</label><textarea id="${id}" name="translation.${l}" lang="${l}" dir="${dir}" maxlength="10000" aria-describedby="${id}-lint">${words}</textarea>`
      : html`<p>Message in ${englishNames[l]}</p><pre class="preview" lang="${l}" dir="${dir}">${words || '—'}</pre>`;
    const lint =
      findings.length === 0
        ? html`<p class="muted" id="${id}-lint">${words ? 'Lint finds nothing.' : `Blank: ${englishNames[l]} subscribers get the page's words.`}</p>`
        : html`<ul class="lint" id="${id}-lint">${findings.map((p) => html`<li><strong>${lintLabels[p.code] ?? p.code}</strong>${p.channel && html` (${p.channel})`}: ${p.message}</li>`)}</ul>`;
    return html`<div class="language">${text}${lint}</div>`;
  };
  return html`<div class="languages"><div class="language">${page}</div>${others.map(column)}</div>`;
}

/** Lint and the preview per channel: the part of a draft the script swaps while someone types. */
export function previewPanel(preview: UpdatePreview): Html {
  return html`${findings(preview.lint)}<h4>Preview per channel</h4>${channels(preview)}`;
}

function submitFields(d: DraftView, mayOverride: boolean): Html | string {
  if (d.lint.length === 0) return '';
  if (!mayOverride)
    return html`<p class="muted">Lint must pass, or the comms lead sends it anyway with a reason.</p>`;
  return html`<label>Reason to send despite lint <span class="muted">(comms lead; recorded)</span> <input name="lint_override" minlength="3" maxlength="1000"></label>`;
}

export function draftCard(
  me: Me,
  incidentId: string,
  d: DraftView,
  preview: UpdatePreview,
  mayOverride: boolean,
  languages: readonly PageLanguage[] = [],
): Html {
  const { role } = me;
  const base = `/console/incidents/${incidentId}/updates/${d.id}`;
  const may = (action: Action) => can(role, action);
  const editable = d.state === 'draft' || d.state === 'rejected' || d.state === 'pending_approval';
  return html`<li class="card" id="u-${d.id}">
<h3>${words(d.state)}: ${d.audience}, ${words(d.status)}</h3>
<p class="muted">By ${d.created_by}, ${when(d.created_at)}</p>
${
  editable && may('incident.update')
    ? html`<form class="stack${languages.length > 1 && ' wide'}" method="post" action="${base}/edit">${languageColumns(d, languages, true)}
<button type="submit" class="secondary">Save</button></form>`
    : languageColumns(d, languages, false)
}
<section id="preview-${d.id}" class="composer" aria-live="polite" aria-label="Lint and preview">${previewPanel(preview)}</section>
${d.lint_override && html`<p>Sent despite lint by ${d.lint_override.by}: <q>${d.lint_override.reason}</q></p>`}
${
  d.decisions.length > 0 &&
  html`<ul>${d.decisions.map((x) => html`<li>${x.actor} ${x.decision === 'approve' ? 'approved' : 'rejected'}${x.comment && html`: ${x.comment}`}</li>`)}</ul>`
}
<div class="actions">
${
  (d.state === 'draft' || d.state === 'rejected') &&
  may('incident.update') &&
  html`${post(`${base}/submit`, 'Submit', submitFields(d, mayOverride))}${post(`${base}/discard`, 'Discard', '', 'secondary')}`
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
