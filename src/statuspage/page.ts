/**
 * The status page's HTML: the front page, one page per incident or
 * maintenance, and the history by month. Every piece of user text passes
 * through `escapeHtml` or the safe Markdown renderer; nothing here reads a
 * clock or the database, so the same snapshot always gives the same page.
 */
import { type ComponentStatus, groupStatus } from '../domain/components.ts';
import { escapeHtml } from '../domain/html.ts';
import { languageNames, type PageLanguage, pageLanguages } from '../domain/languages.ts';
import { renderMarkdown } from '../domain/markdown.ts';
import type { ComponentView, IncidentView, MaintenanceView } from '../services/views.ts';
import { formatDay, formatInstant, formatMonth, monthKey } from './format.ts';
import { dateLocales, directionOf, type Translate } from './i18n.ts';
import { en, type MessageKey } from './messages/en.ts';
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
  /** Where its feeds and documents live, the same for every language: '' or `/a/AUDIENCE`. */
  docBase: string;
  /** A private page's feeds and API carry its audience's token (`?token=…`); '' on the public page. */
  feedQuery: string;
  /** The audience of a private page; undefined for the public page. */
  audience?: string;
  /** The language it is written in, and its words. */
  language: PageLanguage;
  t: Translate;
}

/** Where a language's pages live: below `/LANG`; the page's own paths answer in the reader's language. */
export function languageBase(language: PageLanguage): string {
  return `/${language}`;
}

/** A word from a family of labels (`incident.resolved`), or the value itself when the catalog has none. */
function label(r: RenderContext, family: 'incident' | 'maintenance' | 'component' | 'impact', value: string) {
  const key = `${family}.${value}`;
  return isKey(key) ? r.t(key) : value;
}

function isKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

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

function time(r: RenderContext, iso: string): string {
  const text = formatInstant(iso, r.snapshot.settings.timeZone, dateLocales[r.language]);
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(text)}</time>`;
}

/** The same page in every language, the current one marked; a private page's stay below its own address. */
function switcher(r: RenderContext, path: string | undefined): string {
  if (path === undefined) return '';
  const items = pageLanguages.map((l) => {
    const href = `${r.docBase}${languageBase(l)}${path}`;
    const current = l === r.language ? ' aria-current="page"' : '';
    return `<a href="${escapeHtml(href)}" hreflang="${l}" lang="${l}"${current}>${escapeHtml(languageNames[l])}</a>`;
  });
  return `<nav class="languages" aria-label="${escapeHtml(r.t('nav.language'))}">${items.join(' · ')}</nav>`;
}

/**
 * The page around `main`: head, header, footer. Status pages are live (the
 * script follows /events and swaps <main>); other pages that wear the same
 * header and styles (subscribe, confirm, manage) are not, so a half-filled
 * form is never replaced under the reader.
 */
function layout(r: RenderContext, title: string, main: string, live = true, path?: string): string {
  const s = r.snapshot.settings;
  const t = r.t;
  const logo = s.logoUrl ? `<img src="${escapeHtml(s.logoUrl)}" alt="" height="32">` : '';
  const links = s.links.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join('');
  const fullTitle = title
    ? `${title} · ${s.name}`
    : r.language === 'en' && /status$/i.test(s.name)
      ? s.name
      : t('title.status', { name: s.name });
  const b = r.base;
  // Feeds and documents are the same in every language: they live at the page's own root.
  const feed = (p: string) => `${r.docBase}${p}${r.feedQuery}`;
  const robots = r.audience === undefined ? '' : '<meta name="robots" content="noindex, nofollow">';
  const events = r.audience === undefined ? '' : ` data-events="${r.docBase}/events"`;
  // Subscribers of a private audience are added by the team: the private page offers no form.
  const subscribe =
    r.audience === undefined
      ? `<a class="subscribe" href="/subscribe?lang=${r.language}">${escapeHtml(t('nav.subscribe'))}</a>`
      : '';
  const privateNote =
    r.audience === undefined ? '' : `<p>${escapeHtml(t('footer.private', { audience: r.audience }))}</p>`;
  return `<!doctype html>
<html lang="${r.language}" dir="${directionOf(r.language)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">${robots}
<title>${escapeHtml(fullTitle)}</title>
<link rel="stylesheet" href="${r.assets.css}">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(t('feed.atom', { name: s.name }))}" href="${escapeHtml(feed('/history.atom'))}">
<link rel="alternate" type="application/rss+xml" title="${escapeHtml(t('feed.rss', { name: s.name }))}" href="${escapeHtml(feed('/history.rss'))}">
${live ? `<script src="${r.assets.script}" defer></script>\n` : ''}</head><body${live ? liveWords(r) : ''} data-time-zone="${escapeHtml(s.timeZone)}"${events}>
<a class="skip" href="#main">${escapeHtml(t('skip'))}</a>
<header class="top"><div class="wrap"><a class="brand" href="${b}/">${logo}<span>${escapeHtml(s.name)}</span></a><nav aria-label="${escapeHtml(t('nav.label'))}">${links}<a href="${b}/history">${escapeHtml(t('nav.history'))}</a>${subscribe}</nav></div></header>
<main id="main" class="wrap">${live && r.snapshot.demo ? `<p class="demo" role="note">${t('demo')}</p>` : ''}${main}</main>
<footer class="wrap">${privateNote}<p>${escapeHtml(t('footer.times', { zone: s.timeZone }))} ${escapeHtml(t('footer.feeds'))} <a href="${escapeHtml(feed('/history.atom'))}">Atom</a> · <a href="${escapeHtml(feed('/history.rss'))}">RSS</a> · <a href="${escapeHtml(feed('/maintenances.ics'))}">${escapeHtml(t('footer.calendar'))}</a> · <a href="${escapeHtml(feed('/api/v2/summary.json'))}">${escapeHtml(t('footer.api'))}</a></p>${switcher(r, path)}${live ? '<p class="live" role="status" aria-live="polite"></p>' : ''}</footer>
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

/**
 * "Was this update helpful?" under each update of the public page, in the page's language (the
 * answer's page speaks it too: `?lang=`): a plain form, so it works without script and the page stays the same bytes for everyone
 * (answered from memory); /feedback records the answer. A private page's readers are asked by
 * their messages' links.
 */
function helpfulForm(updateId: string, r: Pick<RenderContext, 't' | 'language'>): string {
  const t = r.t;
  return `<form class="helpful" method="post" action="/feedback/${escapeHtml(updateId)}?lang=${r.language}"><span>${escapeHtml(t('helpful.ask'))}</span> <button type="submit" name="helpful" value="yes">${escapeHtml(t('helpful.yes'))}</button> <button type="submit" name="helpful" value="no">${escapeHtml(t('helpful.no'))}</button></form>`;
}

function renderIncident(i: IncidentView, r: RenderContext, headingLevel: 2 | 3, link: boolean): string {
  const t = r.t;
  const h = `h${headingLevel}`;
  const name = link
    ? `<a href="${r.base}/incidents/${escapeHtml(i.id)}">${escapeHtml(i.name)}</a>`
    : escapeHtml(i.name);
  const affects = i.components.length
    ? `<p class="meta">${t('affects', { components: componentNames(i.components) })}</p>`
    : '';
  const next =
    isOpenIncident(i) && i.next_update_due_at
      ? `<p class="next">${t('next', { time: time(r, i.next_update_due_at) })}</p>`
      : '';
  const items = i.incident_updates.map(
    (u) =>
      `<li><p class="when"><strong>${escapeHtml(label(r, 'incident', u.status))}</strong> ${time(r, u.display_at)}</p><div class="body">${renderMarkdown(u.body)}</div>${r.audience === undefined ? helpfulForm(u.id, r) : ''}</li>`,
  );
  // On the front page the latest update is what matters at a glance; the rest is one click away.
  const timeline =
    link && items.length > 1
      ? `<ol class="timeline">${items[0]}</ol><details class="earlier"><summary>${escapeHtml(t('earlier', { count: items.length - 1 }))}</summary><ol class="timeline">${items.slice(1).join('')}</ol></details>`
      : `<ol class="timeline">${items.join('')}</ol>`;
  return `<article class="incident impact-${escapeHtml(i.impact)}" data-id="${escapeHtml(i.id)}"><${h}>${name}</${h}><p class="meta"><span class="badge">${escapeHtml(label(r, 'incident', i.status))}</span> ${escapeHtml(t('impact', { impact: label(r, 'impact', i.impact) }))}</p>${affects}${next}${timeline}</article>`;
}

function renderMaintenance(m: MaintenanceView, r: RenderContext, headingLevel: 2 | 3, link: boolean): string {
  const h = `h${headingLevel}`;
  const name = link
    ? `<a href="${r.base}/incidents/${escapeHtml(m.id)}">${escapeHtml(m.name)}</a>`
    : escapeHtml(m.name);
  const affects = m.components.length
    ? `<p class="meta">${r.t('affects', { components: componentNames(m.components) })}</p>`
    : '';
  const updates = m.updates
    .map(
      (u) =>
        `<li><p class="when"><strong>${escapeHtml(label(r, 'maintenance', u.status))}</strong> ${time(r, u.created_at)}</p><div class="body">${renderMarkdown(u.body)}</div></li>`,
    )
    .join('');
  return `<article class="maintenance" data-id="${escapeHtml(m.id)}"><${h}>${name}</${h}><p class="meta"><span class="badge">${escapeHtml(label(r, 'maintenance', m.status))}</span> ${time(r, m.scheduled_for)} – ${time(r, m.scheduled_until)}</p>${affects}<ol class="timeline">${updates}</ol></article>`;
}

const statusClass = (s: ComponentStatus) => `st st-${s}`;

function describeDay(d: UptimeDay, r: RenderContext): string {
  const t = r.t;
  const parts: string[] = [];
  const mins = (sec: number) =>
    sec >= 3600
      ? t('duration.hm', { h: Math.floor(sec / 3600), m: Math.round((sec % 3600) / 60) })
      : t('duration.m', { m: Math.max(1, Math.round(sec / 60)) });
  if (d.majorSeconds > 0) parts.push(t('uptime.major', { duration: mins(d.majorSeconds) }));
  if (d.partialSeconds > 0) parts.push(t('uptime.partial', { duration: mins(d.partialSeconds) }));
  if (parts.length === 0) parts.push(label(r, 'component', d.worst).toLocaleLowerCase(r.language));
  return `${formatDay(d.date, dateLocales[r.language])}: ${parts.join(', ')}`;
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
        ? `<rect x="${n * 10}" width="8" height="30" class="d-${d.worst}"><title>${escapeHtml(describeDay(d, r))}</title></rect>`
        : '',
    )
    .join('');
  const bad = days.filter((d) => d.uptime !== null && d.worst !== 'operational').length;
  const pct = total === null ? r.t('uptime.none') : r.t('uptime.percent', { pct: formatPercent(total) });
  const described = r.t('uptime.label', { days: HISTORY_DAYS, pct, bad });
  return `<figure class="uptime"><svg viewBox="0 0 900 30" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(described)}"><rect width="${from * 10}" height="30" fill="url(#nodata)"/><rect x="${from * 10}" width="${(HISTORY_DAYS - from) * 10}" height="30" fill="url(#ok)"/>${marks}</svg><figcaption><span>${escapeHtml(r.t('uptime.start', { days: HISTORY_DAYS }))}</span><span>${escapeHtml(pct)}</span><span>${escapeHtml(r.t('uptime.today'))}</span></figcaption></figure>`;
}

function componentRow(c: ComponentView, r: RenderContext): string {
  return `<li class="component" data-id="${escapeHtml(c.id)}"><div class="row"><span class="name">${escapeHtml(c.name)}</span><span class="${statusClass(c.status)}">${escapeHtml(label(r, 'component', c.status))}</span></div>${c.description ? `<p class="desc">${escapeHtml(c.description)}</p>` : ''}${c.showcase ? uptimeBar(c, r) : ''}</li>`;
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
      `<li class="group"><details${st === 'operational' ? '' : ' open'}><summary><span class="name">${escapeHtml(g.name)}</span><span class="${statusClass(st)}">${escapeHtml(label(r, 'component', st))}</span></summary><ul>${shown.map((c) => componentRow(c, r)).join('')}</ul></details></li>`,
    );
  }
  for (const c of s.components) if (c.group_id === null && visible(c)) items.push(componentRow(c, r));
  if (items.length === 0) return '';
  const defs =
    '<svg class="defs" aria-hidden="true" width="0" height="0"><defs><pattern id="ok" width="10" height="30" patternUnits="userSpaceOnUse"><rect width="8" height="30" class="d-operational"/></pattern><pattern id="nodata" width="10" height="30" patternUnits="userSpaceOnUse"><rect width="8" height="30" class="d-none"/></pattern></defs></svg>';
  return `<section aria-labelledby="components-h"><h2 id="components-h">${escapeHtml(r.t('index.components'))}</h2>${defs}<ul class="components">${items.join('')}</ul></section>`;
}

export function renderIndex(r: RenderContext): string {
  const s = r.snapshot;
  const status = v2Status(s);
  const open = s.incidents.filter(isOpenIncident);
  const active = activeMaintenances(s);
  const upcoming = upcomingMaintenances(s);
  const incidents = open.length
    ? `<section aria-labelledby="incidents-h"><h2 id="incidents-h">${escapeHtml(r.t('index.incidents'))}</h2>${open.map((i) => renderIncident(i, r, 3, true)).join('')}</section>`
    : '';
  const maint = [
    active.length
      ? `<section aria-labelledby="active-h"><h2 id="active-h">${escapeHtml(r.t('index.active'))}</h2>${active.map((m) => renderMaintenance(m, r, 3, true)).join('')}</section>`
      : '',
    upcoming.length
      ? `<section aria-labelledby="upcoming-h"><h2 id="upcoming-h">${escapeHtml(r.t('index.upcoming'))}</h2>${upcoming.map((m) => renderMaintenance(m, r, 3, true)).join('')}</section>`
      : '',
  ].join('');
  const main = `<h1 class="banner ind-${status.indicator}">${escapeHtml(r.t(`indicator.${status.indicator}`))}</h1>${incidents}${maint}${componentsSection(r)}<p class="more"><a href="${r.base}/history">${escapeHtml(r.t('index.history'))}</a></p>`;
  return layout(r, '', main, true, '/');
}

export function renderIncidentPage(i: IncidentView, r: RenderContext): string {
  return layout(
    r,
    i.name,
    `<p class="crumb"><a href="${r.base}/">${escapeHtml(r.t('crumb'))}</a></p>${renderIncident(i, r, 2, false).replace('<h2>', '<h1>').replace('</h2>', '</h1>')}`,
    true,
    `/incidents/${i.id}`,
  );
}

export function renderMaintenancePage(m: MaintenanceView, r: RenderContext): string {
  return layout(
    r,
    m.name,
    `<p class="crumb"><a href="${r.base}/">${escapeHtml(r.t('crumb'))}</a></p>${renderMaintenance(m, r, 2, false).replace('<h2>', '<h1>').replace('</h2>', '</h1>')}`,
    true,
    `/incidents/${m.id}`,
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
    const end = i.resolved_at
      ? ` – ${r.t('history.resolved', { time: time(r, i.resolved_at) })}`
      : ` – ${escapeHtml(r.t('history.ongoing'))}`;
    add(
      i.started_at,
      `<li><a href="${r.base}/incidents/${escapeHtml(i.id)}">${escapeHtml(i.name)}</a> <span class="meta">${escapeHtml(r.t('history.impact', { impact: label(r, 'impact', i.impact) }))} · ${time(r, i.started_at)}${end}</span></li>`,
    );
  }
  for (const m of s.maintenances) {
    if (m.status !== 'completed') continue;
    add(
      m.scheduled_for,
      `<li><a href="${r.base}/incidents/${escapeHtml(m.id)}">${escapeHtml(m.name)}</a> <span class="meta">${escapeHtml(r.t('history.maintenance'))} · ${time(r, m.scheduled_for)} – ${time(r, m.scheduled_until)}</span></li>`,
    );
  }
  const current = monthKey(s.now.toISOString(), tz);
  if (!months.has(current)) months.set(current, []);
  const sections = [...months.entries()]
    .sort((a, b) => b[0].localeCompare(a[0]))
    .map(([key, entries]) => {
      const heading = escapeHtml(formatMonth(`${key}-15T12:00:00Z`, 'UTC', dateLocales[r.language]));
      const list = entries
        .sort((a, b) => b.at.localeCompare(a.at))
        .map((e) => e.html)
        .join('');
      return `<section><h2>${heading}</h2>${list ? `<ul class="history">${list}</ul>` : `<p>${escapeHtml(r.t('history.none'))}</p>`}</section>`;
    })
    .join('');
  return layout(
    r,
    r.t('history.title'),
    `<h1>${escapeHtml(r.t('history.heading'))}</h1>${sections}`,
    true,
    '/history',
  );
}

export function renderNotFound(r: RenderContext): string {
  return layout(
    r,
    r.t('notfound.title'),
    `<h1>${escapeHtml(r.t('notfound.heading'))}</h1><p>${r.t('notfound.text', { home: `${r.base}/` })}</p>`,
  );
}

/** What the live script says, in the page's language: `{time}` is filled in by the reader's browser. */
const liveWords = (r: RenderContext) =>
  ` data-version="${r.version}" data-updated="${escapeHtml(r.t('live.updated', { time: '{time}' }))}" data-local="${escapeHtml(r.t('live.local', { time: '{time}' }))}"`;
