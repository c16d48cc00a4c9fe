/**
 * The status page's HTML: the front page, one page per incident or
 * maintenance, and the history by month. Every piece of user text passes
 * through `escapeHtml` or the safe Markdown renderer; nothing here reads a
 * clock or the database, so the same snapshot always gives the same page.
 */
import { type ComponentStatus, componentStatusLabels, groupStatus } from '../domain/components.ts';
import { escapeHtml } from '../domain/html.ts';
import { incidentStatusLabels } from '../domain/incidents.ts';
import { renderMarkdown } from '../domain/markdown.ts';
import type { ComponentView, IncidentView, MaintenanceView } from '../services/views.ts';
import { formatDay, formatInstant, formatMonth, monthKey } from './format.ts';
import type { PageSnapshot } from './snapshot.ts';
import { HISTORY_DAYS } from './snapshot.ts';
import { dailyUptime, formatPercent, type UptimeDay, windowUptime } from './uptime.ts';
import { activeMaintenances, isOpenIncident, upcomingMaintenances, v2Status } from './v2.ts';

interface PageAssets {
  css: string;
  script: string;
}

export interface RenderContext {
  snapshot: PageSnapshot;
  assets: PageAssets;
  version: string;
  /** Where the page lives: '' for the public page, `/a/AUDIENCE` for an audience's private one. */
  base: string;
  /** A private page's feeds and API carry its audience's token (`?token=…`); '' on the public page. */
  feedQuery: string;
  /** The audience of a private page; undefined for the public page. */
  audience?: string;
}

const maintenanceLabels: Record<string, string> = {
  scheduled: 'Scheduled',
  in_progress: 'In progress',
  verifying: 'Verifying',
  completed: 'Completed',
  cancelled: 'Cancelled',
};

function relativeLuminance(hex: string): number {
  const channel = (i: number) => {
    const v = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White or near-black text on the configured colour, whichever contrasts more. */
export function textOn(hex: string): string {
  const l = relativeLuminance(hex);
  return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? '#ffffff' : '#111111';
}

function time(iso: string, tz: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatInstant(iso, tz))}</time>`;
}

const demoNote =
  '<p class="demo" role="note"><strong>Demo page:</strong> Crier generated this content to show how a status page looks. Start with CRIER_DEMO=false on a new database to begin empty.</p>';

/**
 * The page around `main`: head, header, footer. Status pages are live (the
 * script follows /events and swaps <main>); other pages that wear the same
 * header and styles (subscribe, confirm, manage) are not, so a half-filled
 * form is never replaced under the reader.
 */
function layout(r: RenderContext, title: string, main: string, live = true): string {
  const s = r.snapshot.settings;
  const logo = s.logoUrl ? `<img src="${escapeHtml(s.logoUrl)}" alt="" height="32">` : '';
  const links = s.links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join('');
  const fullTitle = title ? `${title} · ${s.name}` : /status$/i.test(s.name) ? s.name : `${s.name} status`;
  const b = r.base;
  const feed = (path: string) => `${b}${path}${r.feedQuery}`;
  const robots = r.audience === undefined ? '' : '<meta name="robots" content="noindex, nofollow">';
  const events = r.audience === undefined ? '' : ` data-events="${b}/events"`;
  // Subscribers of a private audience are added by the team: the private page offers no form.
  const subscribe =
    r.audience === undefined ? '<a class="subscribe" href="/subscribe">Subscribe to updates</a>' : '';
  const privateNote =
    r.audience === undefined
      ? ''
      : `<p>This page is private to the ${escapeHtml(r.audience)} audience; do not share its address or its feeds.</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">${robots}
<title>${escapeHtml(fullTitle)}</title>
<link rel="stylesheet" href="${r.assets.css}">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(s.name)} incident history (Atom)" href="${escapeHtml(feed('/history.atom'))}">
<link rel="alternate" type="application/rss+xml" title="${escapeHtml(s.name)} incident history (RSS)" href="${escapeHtml(feed('/history.rss'))}">
${live ? `<script src="${r.assets.script}" defer></script>\n` : ''}</head><body${live ? ` data-version="${r.version}"` : ''} data-time-zone="${escapeHtml(s.timeZone)}"${events}>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="wrap"><a class="brand" href="${b}/">${logo}<span>${escapeHtml(s.name)}</span></a><nav aria-label="Status page">${links}<a href="${b}/history">History</a>${subscribe}</nav></div></header>
<main id="main" class="wrap">${live && r.snapshot.demo ? demoNote : ''}${main}</main>
<footer class="wrap">${privateNote}<p>Times are shown in ${escapeHtml(s.timeZone)}. Feeds: <a href="${escapeHtml(feed('/history.atom'))}">Atom</a> · <a href="${escapeHtml(feed('/history.rss'))}">RSS</a> · <a href="${escapeHtml(feed('/maintenances.ics'))}">Maintenance calendar</a> · <a href="${escapeHtml(feed('/api/v2/summary.json'))}">API</a></p>${live ? '<p class="live" role="status" aria-live="polite"></p>' : ''}</footer>
</body></html>
`;
}

/** A page of the status page's own look that is not a status page (`main` is HTML, escaped by the caller). */
export function renderShell(r: RenderContext, title: string, main: string): string {
  return layout(r, title, main, false);
}

function componentNames(list: readonly ComponentView[]): string {
  return list.map((c) => escapeHtml(c.name)).join(', ');
}

function renderIncident(i: IncidentView, r: RenderContext, headingLevel: 2 | 3, link: boolean): string {
  const tz = r.snapshot.settings.timeZone;
  const h = `h${headingLevel}`;
  const name = link
    ? `<a href="${r.base}/incidents/${escapeHtml(i.id)}">${escapeHtml(i.name)}</a>`
    : escapeHtml(i.name);
  const affects = i.components.length ? `<p class="meta">Affects: ${componentNames(i.components)}</p>` : '';
  const next =
    isOpenIncident(i) && i.next_update_due_at
      ? `<p class="next">Next update by ${time(i.next_update_due_at, tz)}</p>`
      : '';
  const items = i.incident_updates.map(
    (u) =>
      `<li><p class="when"><strong>${escapeHtml(incidentStatusLabels[u.status] ?? u.status)}</strong> ${time(u.display_at, tz)}</p><div class="body">${renderMarkdown(u.body)}</div></li>`,
  );
  // On the front page the latest update is what matters at a glance; the rest is one click away.
  const timeline =
    link && items.length > 1
      ? `<ol class="timeline">${items[0]}</ol><details class="earlier"><summary>Earlier updates (${items.length - 1})</summary><ol class="timeline">${items.slice(1).join('')}</ol></details>`
      : `<ol class="timeline">${items.join('')}</ol>`;
  return `<article class="incident impact-${escapeHtml(i.impact)}" data-id="${escapeHtml(i.id)}"><${h}>${name}</${h}><p class="meta"><span class="badge">${escapeHtml(incidentStatusLabels[i.status] ?? i.status)}</span> Impact: ${escapeHtml(i.impact)}</p>${affects}${next}${timeline}</article>`;
}

function renderMaintenance(m: MaintenanceView, r: RenderContext, headingLevel: 2 | 3, link: boolean): string {
  const tz = r.snapshot.settings.timeZone;
  const h = `h${headingLevel}`;
  const name = link
    ? `<a href="${r.base}/incidents/${escapeHtml(m.id)}">${escapeHtml(m.name)}</a>`
    : escapeHtml(m.name);
  const affects = m.components.length ? `<p class="meta">Affects: ${componentNames(m.components)}</p>` : '';
  const updates = m.updates
    .map(
      (u) =>
        `<li><p class="when"><strong>${escapeHtml(maintenanceLabels[u.status] ?? u.status)}</strong> ${time(u.created_at, tz)}</p><div class="body">${renderMarkdown(u.body)}</div></li>`,
    )
    .join('');
  return `<article class="maintenance" data-id="${escapeHtml(m.id)}"><${h}>${name}</${h}><p class="meta"><span class="badge">${escapeHtml(maintenanceLabels[m.status] ?? m.status)}</span> ${time(m.scheduled_for, tz)} – ${time(m.scheduled_until, tz)}</p>${affects}<ol class="timeline">${updates}</ol></article>`;
}

const statusClass = (s: ComponentStatus) => `st st-${s}`;

function describeDay(d: UptimeDay): string {
  const parts: string[] = [];
  const mins = (sec: number) =>
    sec >= 3600
      ? `${Math.floor(sec / 3600)} h ${Math.round((sec % 3600) / 60)} min`
      : `${Math.max(1, Math.round(sec / 60))} min`;
  if (d.majorSeconds > 0) parts.push(`major outage ${mins(d.majorSeconds)}`);
  if (d.partialSeconds > 0) parts.push(`partial outage ${mins(d.partialSeconds)}`);
  if (parts.length === 0) parts.push(componentStatusLabels[d.worst].toLowerCase());
  return `${formatDay(d.date)}: ${parts.join(', ')}`;
}

/** One SVG per component: a patterned run for days with data, one rect per day that was not clean. */
function uptimeBar(c: ComponentView, r: RenderContext): string {
  const s = r.snapshot;
  const days = dailyUptime(
    s.statusAtStart.get(c.id),
    s.history.get(c.id) ?? [],
    c.start_date ?? c.created_at,
    s.now,
    HISTORY_DAYS,
  );
  const total = windowUptime(days);
  const firstKnown = days.findIndex((d) => d.uptime !== null);
  const from = firstKnown < 0 ? HISTORY_DAYS : firstKnown;
  const marks = days
    .map((d, n) =>
      d.uptime !== null && d.worst !== 'operational'
        ? `<rect x="${n * 10}" width="8" height="30" class="d-${d.worst}"><title>${escapeHtml(describeDay(d))}</title></rect>`
        : '',
    )
    .join('');
  const bad = days.filter((d) => d.uptime !== null && d.worst !== 'operational').length;
  const pct = total === null ? 'no data' : `${formatPercent(total)} uptime`;
  const label = `${HISTORY_DAYS}-day history: ${pct}, ${bad} ${bad === 1 ? 'day' : 'days'} with incidents or maintenance`;
  return `<figure class="uptime"><svg viewBox="0 0 900 30" preserveAspectRatio="none" role="img" aria-label="${label}"><rect width="${from * 10}" height="30" fill="url(#nodata)"/><rect x="${from * 10}" width="${(HISTORY_DAYS - from) * 10}" height="30" fill="url(#ok)"/>${marks}</svg><figcaption><span>${HISTORY_DAYS} days ago</span><span>${pct}</span><span>Today</span></figcaption></figure>`;
}

function componentRow(c: ComponentView, r: RenderContext): string {
  return `<li class="component" data-id="${escapeHtml(c.id)}"><div class="row"><span class="name">${escapeHtml(c.name)}</span><span class="${statusClass(c.status)}">${componentStatusLabels[c.status]}</span></div>${c.description ? `<p class="desc">${escapeHtml(c.description)}</p>` : ''}${c.showcase ? uptimeBar(c, r) : ''}</li>`;
}

const visible = (c: ComponentView) => !(c.only_show_if_degraded && c.status === 'operational');

function componentsSection(r: RenderContext): string {
  const s = r.snapshot;
  const items: string[] = [];
  for (const g of s.groups) {
    const members = s.components.filter((c) => c.group_id === g.id);
    const shown = members.filter(visible);
    if (shown.length === 0) continue;
    const st = groupStatus(members.map((m) => m.status));
    items.push(
      `<li class="group"><details${st === 'operational' ? '' : ' open'}><summary><span class="name">${escapeHtml(g.name)}</span><span class="${statusClass(st)}">${componentStatusLabels[st]}</span></summary><ul>${shown.map((c) => componentRow(c, r)).join('')}</ul></details></li>`,
    );
  }
  for (const c of s.components) if (c.group_id === null && visible(c)) items.push(componentRow(c, r));
  if (items.length === 0) return '';
  const defs =
    '<svg class="defs" aria-hidden="true" width="0" height="0"><defs><pattern id="ok" width="10" height="30" patternUnits="userSpaceOnUse"><rect width="8" height="30" class="d-operational"/></pattern><pattern id="nodata" width="10" height="30" patternUnits="userSpaceOnUse"><rect width="8" height="30" class="d-none"/></pattern></defs></svg>';
  return `<section aria-labelledby="components-h"><h2 id="components-h">Components</h2>${defs}<ul class="components">${items.join('')}</ul></section>`;
}

export function renderIndex(r: RenderContext): string {
  const s = r.snapshot;
  const status = v2Status(s);
  const open = s.incidents.filter(isOpenIncident);
  const active = activeMaintenances(s);
  const upcoming = upcomingMaintenances(s);
  const incidents = open.length
    ? `<section aria-labelledby="incidents-h"><h2 id="incidents-h">Current incidents</h2>${open.map((i) => renderIncident(i, r, 3, true)).join('')}</section>`
    : '';
  const maint = [
    active.length
      ? `<section aria-labelledby="active-h"><h2 id="active-h">Maintenance in progress</h2>${active.map((m) => renderMaintenance(m, r, 3, true)).join('')}</section>`
      : '',
    upcoming.length
      ? `<section aria-labelledby="upcoming-h"><h2 id="upcoming-h">Upcoming maintenance</h2>${upcoming.map((m) => renderMaintenance(m, r, 3, true)).join('')}</section>`
      : '',
  ].join('');
  const main = `<h1 class="banner ind-${status.indicator}">${escapeHtml(status.description)}</h1>${incidents}${maint}${componentsSection(r)}<p class="more"><a href="${r.base}/history">Incident history</a></p>`;
  return layout(r, '', main);
}

export function renderIncidentPage(i: IncidentView, r: RenderContext): string {
  return layout(
    r,
    i.name,
    `<p class="crumb"><a href="${r.base}/">← Current status</a></p>${renderIncident(i, r, 2, false).replace('<h2>', '<h1>').replace('</h2>', '</h1>')}`,
  );
}

export function renderMaintenancePage(m: MaintenanceView, r: RenderContext): string {
  return layout(
    r,
    m.name,
    `<p class="crumb"><a href="${r.base}/">← Current status</a></p>${renderMaintenance(m, r, 2, false).replace('<h2>', '<h1>').replace('</h2>', '</h1>')}`,
  );
}

export function renderHistory(r: RenderContext): string {
  const s = r.snapshot;
  const tz = s.settings.timeZone;
  type Entry = { at: string; html: string };
  const months = new Map<string, Entry[]>();
  const add = (at: string, html: string) => {
    const key = monthKey(at, tz);
    const list = months.get(key) ?? [];
    list.push({ at, html });
    months.set(key, list);
  };
  for (const i of s.incidents) {
    const end = i.resolved_at ? ` – resolved ${time(i.resolved_at, tz)}` : ' – ongoing';
    add(
      i.started_at,
      `<li><a href="${r.base}/incidents/${escapeHtml(i.id)}">${escapeHtml(i.name)}</a> <span class="meta">Impact ${escapeHtml(i.impact)} · ${time(i.started_at, tz)}${end}</span></li>`,
    );
  }
  for (const m of s.maintenances) {
    if (m.status !== 'completed') continue;
    add(
      m.scheduled_for,
      `<li><a href="${r.base}/incidents/${escapeHtml(m.id)}">${escapeHtml(m.name)}</a> <span class="meta">Maintenance · ${time(m.scheduled_for, tz)} – ${time(m.scheduled_until, tz)}</span></li>`,
    );
  }
  const current = monthKey(s.now.toISOString(), tz);
  if (!months.has(current)) months.set(current, []);
  const sections = [...months.entries()]
    .sort((a, b) => b[0].localeCompare(a[0]))
    .map(([key, entries]) => {
      const heading = escapeHtml(formatMonth(`${key}-15T12:00:00Z`, 'UTC'));
      const list = entries
        .sort((a, b) => b.at.localeCompare(a.at))
        .map((e) => e.html)
        .join('');
      return `<section><h2>${heading}</h2>${list ? `<ul class="history">${list}</ul>` : '<p>No incidents reported.</p>'}</section>`;
    })
    .join('');
  return layout(r, 'History', `<h1>Incident history</h1>${sections}`);
}

export function renderNotFound(r: RenderContext): string {
  return layout(
    r,
    'Not found',
    `<h1>Page not found</h1><p>There is nothing at this address. <a href="${r.base}/">See the current status</a>.</p>`,
  );
}
