/**
 * The whole public surface, rendered from one snapshot: every page, API
 * document, feed, badge and asset, by URL path. The live server holds it in
 * memory; `crier export` writes the same bytes to files.
 */
import { createHash } from 'node:crypto';
import { type PageLanguage, pageLanguages } from '../domain/languages.ts';
import { liveScript, statusCss } from './assets.ts';
import { componentBadge, overallBadge } from './badge.ts';
import { embedScript } from './embed.ts';
import { renderAtom, renderIcs, renderRss } from './feeds.ts';
import { translator } from './i18n.ts';
import {
  languageBase,
  type RenderContext,
  renderHistory,
  renderIncidentPage,
  renderIndex,
  renderMaintenancePage,
  renderNotFound,
  renderShell,
  textOn,
} from './page.ts';
import type { PageSnapshot } from './snapshot.ts';
import { activeMaintenances, isOpenIncident, v2Documents, v2Status } from './v2.ts';

export interface SurfaceFile {
  body: string;
  type: string;
}

/** What /events sends: enough for the page to know it changed and for the embed to draw itself. */
export interface LiveState {
  version: string;
  page: { name: string; url: string };
  status: { indicator: string; description: string };
  incidents: {
    id: string;
    name: string;
    status: string;
    impact: string;
    url: string;
    updated_at: string;
    components: string[];
  }[];
  maintenances: {
    id: string;
    name: string;
    status: string;
    url: string;
    scheduled_for: string;
    scheduled_until: string;
    components: string[];
  }[];
}

export interface Surface {
  version: string;
  files: Map<string, SurfaceFile>;
  live: LiveState;
  /** `main` in the page's look, in its own language or in `language` (its header and footer too). */
  shell(title: string, main: string, language?: PageLanguage): string;
  /** The plan's language, spoken at the page's own paths to a reader who states none. */
  language: PageLanguage;
  /**
   * The page's own HTML paths (`/`, `/history`, `/incidents/ID`) that are
   * rendered in every language, each also at `/LANG/…`: a request for one
   * is answered in the reader's language (src/statuspage/cache.ts).
   */
  pages: string[];
  /**
   * The pages at `/LANG/…`, rendered now: in `files` already, unless the
   * render deferred them (`deferLanguages`) so the page's own paths and
   * documents could be served first; with `only`, that language's. A
   * private surface's are keyed by the path below its base, as its other
   * files are.
   */
  languageFiles(only?: PageLanguage): Map<string, SurfaceFile>;
}

export const NOT_FOUND_PATH = '/404.html';

const types = {
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  ics: 'text/calendar; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

const shortHash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
const scriptHash = shortHash(liveScript);

/** Where a page's HTML lives in a static export: pages as index.html in folders. */
export function exportPathOf(urlPath: string): string {
  if (urlPath === '/') return 'index.html';
  const clean = urlPath.replace(/^\/+/, '');
  return /\.[a-z0-9]+$/i.test(clean) ? clean : `${clean}/index.html`;
}

/** A private page: its audience, where it lives, and the token its feeds and API carry. */
export interface PrivateSurfaceOptions {
  audience: string;
  base: string;
  feedToken: string;
}

/**
 * Renders the public surface, or with `priv` an audience's private one: its
 * pages, API documents and feeds by path below its base (`/`, `/history`,
 * `/api/v2/summary.json`...). A private surface has no badge, embed or
 * assets of its own: the stylesheet and script are the public ones.
 */
export function renderSurface(
  s: PageSnapshot,
  priv?: PrivateSurfaceOptions,
  options: { deferLanguages?: boolean } = {},
): Surface {
  const version = shortHash(
    JSON.stringify([s.settings, s.components, s.groups, s.incidents, s.maintenances]),
  );
  // The page's colours live in its stylesheet, not in an inline <style>, so the CSP needs no 'unsafe-inline'.
  const css = `${statusCss}:root{--accent:${s.settings.color};--on-accent:${textOn(s.settings.color)}}\n`;
  const assets = { css: `/assets/status.css?v=${shortHash(css)}`, script: `/assets/live.js?v=${scriptHash}` };
  const language = s.settings.language;
  const words = { language, t: translator(language) };
  const r: RenderContext = priv
    ? {
        snapshot: s,
        assets,
        version,
        base: priv.base,
        docBase: priv.base,
        feedQuery: `?token=${encodeURIComponent(priv.feedToken)}`,
        audience: priv.audience,
        ...words,
      }
    : { snapshot: s, assets, version, base: '', docBase: '', feedQuery: '', ...words };
  const files = new Map<string, SurfaceFile>();
  const put = (path: string, type: string, body: string) => files.set(path, { body, type });

  const pages: string[] = [];
  const page = (path: string, body: string) => {
    put(path, types.html, body);
    pages.push(path);
  };
  page('/', renderIndex(r));
  page('/history', renderHistory(r));
  for (const i of s.incidents) page(`/incidents/${i.id}`, renderIncidentPage(i, r));
  for (const m of s.maintenances) page(`/incidents/${m.id}`, renderMaintenancePage(m, r));
  put(NOT_FOUND_PATH, types.html, renderNotFound(r));
  // The page in every language at its own address, the plan's too (a reader who chose it keeps
  // it from link to link, whatever the browser asks for), rendered now so that choosing one
  // costs nothing later. A private page's are below its own base (`/a/AUDIENCE/fr/…`) and
  // keyed, like its other files, by the path below that base.
  const languageFiles = (only?: PageLanguage) => {
    const out = new Map<string, SurfaceFile>();
    const html = (path: string, body: string) => out.set(path, { body, type: types.html });
    for (const other of only ? [only] : pageLanguages) {
      const base = languageBase(other);
      const lr: RenderContext = { ...r, base: `${r.docBase}${base}`, language: other, t: translator(other) };
      html(base, renderIndex(lr));
      html(`${base}/history`, renderHistory(lr));
      for (const i of s.incidents) html(`${base}/incidents/${i.id}`, renderIncidentPage(i, lr));
      for (const m of s.maintenances) html(`${base}/incidents/${m.id}`, renderMaintenancePage(m, lr));
    }
    return out;
  };
  if (!options.deferLanguages) for (const [path, file] of languageFiles()) files.set(path, file);
  for (const [path, doc] of Object.entries(v2Documents(s))) put(path, types.json, JSON.stringify(doc));
  put('/history.atom', types.atom, renderAtom(s));
  put('/history.rss', types.rss, renderRss(s));
  put('/maintenances.ics', types.ics, renderIcs(s));
  const status = v2Status(s);
  if (!priv) {
    put('/badge.svg', types.svg, overallBadge(s.settings.name, status.indicator));
    for (const c of s.components) put(`/badge/${c.id}.svg`, types.svg, componentBadge(c.name, c.status));
    put('/embed.js', types.js, embedScript);
    put('/assets/status.css', types.css, css);
    put('/assets/live.js', types.js, liveScript);
  }

  const url = (id: string) => `${s.settings.url}/incidents/${id}`;
  const live: LiveState = {
    version,
    page: { name: s.settings.name, url: s.settings.url },
    status,
    incidents: s.incidents.filter(isOpenIncident).map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status,
      impact: i.impact,
      url: url(i.id),
      updated_at: i.updated_at,
      components: i.component_ids,
    })),
    maintenances: activeMaintenances(s).map((m) => ({
      id: m.id,
      name: m.name,
      status: m.status,
      url: url(m.id),
      scheduled_for: m.scheduled_for,
      scheduled_until: m.scheduled_until,
      components: m.component_ids,
    })),
  };
  const shell = (title: string, main: string, other?: PageLanguage) =>
    renderShell(
      other === undefined || other === language
        ? r
        : { ...r, base: `${r.docBase}${languageBase(other)}`, language: other, t: translator(other) },
      title,
      main,
    );
  return { version, files, live, shell, language, pages, languageFiles };
}
