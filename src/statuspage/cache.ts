/**
 * The status page's in-memory render cache. Data changes (the ChangeBus, or
 * a NOTIFY from another process) schedule one refresh: read a snapshot,
 * render the surface, compress what changed (fast), swap the map. Requests
 * only ever read the map, so a public request never touches the database,
 * and if the database goes away the last good page keeps being served.
 * Once no change has come for a moment, the entries compressed fast are
 * compressed again at the best ratio, one by one, each swapped in when done.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { type PageLanguage, pageLanguages } from '../domain/languages.ts';
import { privateAudiencesOf } from '../plan/schema.ts';
import { audienceFeedToken } from '../services/pages/links.ts';
import { currentPlan } from '../services/plan/current.ts';
import type { Db } from '../store/db.ts';
import { buildEntries, type Entry, matchesEtag, pickEncoding, polishEntry } from './entries.ts';
import { translator } from './i18n.ts';
import type { MessageKey } from './messages/en.ts';
import { LanguageChoice } from './negotiation.ts';
import { type RequestHeaders, requestHeaders } from './request-headers.ts';
import type { PageSettings } from './settings.ts';
import { loadSnapshot } from './snapshot.ts';
import { type LiveState, NOT_FOUND_PATH, renderSurface, type Surface } from './surface.ts';

export type RenderedListener = (surface: Surface, entries: ReadonlyMap<string, Entry>) => void;
export type PrivateRenderedListener = (audience: string, surface: Surface) => void;

/** An audience's private page: its files by path below `/a/AUDIENCE`, the render they came from, and the reader's language among them. */
interface PrivateRender {
  surface: Surface;
  entries: Map<string, Entry>;
  languages: LanguageChoice;
}

export interface StatusPageOptions {
  db: Db;
  settings: PageSettings;
  clock: Clock;
  log: Logger;
  /** How long to gather change events before one refresh. */
  debounceMs?: number;
  /** How long after the latest render, with no change asked for, to start compressing at the best ratio. */
  polishDelayMs?: number;
  /** How long a burst of changes may keep the pages in other languages behind the page's own. */
  languagesMaxWaitMs?: number;
}

export class StatusPage {
  readonly #db: Db;
  readonly #settings: PageSettings;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #debounceMs: number;
  readonly #polishDelayMs: number;
  readonly #languagesMaxWaitMs: number;
  /**
   * Swapped whole by each render. Between renders only polishing writes to
   * it, and only an entry's bytes for the same content (same `tag`).
   */
  #entries = new Map<string, Entry>();
  /** Counts renders, so polishing knows when its map was replaced. */
  #generation = 0;
  #polishTimer: NodeJS.Timeout | undefined;
  #languages = LanguageChoice.none;
  #surface: Surface | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  /** When a render last finished with every language (performance.now()). */
  #completedAt = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;
  #listeners = new Set<RenderedListener>();
  #private: ReadonlyMap<string, PrivateRender> = new Map();
  #privateListeners = new Set<PrivateRenderedListener>();
  #closed = false;
  /** For /readyz and /metrics. */
  readonly stats = { renders: 0, renderFailures: 0, lastRenderMs: 0, lastRenderAt: '', lastError: '' };

  constructor(options: StatusPageOptions) {
    this.#db = options.db;
    this.#settings = options.settings;
    this.#clock = options.clock;
    this.#log = options.log;
    this.#debounceMs = options.debounceMs ?? 25;
    this.#polishDelayMs = options.polishDelayMs ?? 2_000;
    this.#languagesMaxWaitMs = options.languagesMaxWaitMs ?? 2_000;
  }

  get ready(): boolean {
    return this.#surface !== undefined;
  }

  get live(): LiveState | undefined {
    return this.#surface?.live;
  }

  get surface(): Surface | undefined {
    return this.#surface;
  }

  get name(): string | undefined {
    return this.#surface?.live.page.name;
  }

  /** `main` in the latest render's header, styles and footer; undefined before the first render. */
  shell(title: string, main: string, language?: PageLanguage): string | undefined {
    return this.#surface?.shell(title, main, language);
  }

  /** The page's catalog in a language, for pages served beside it (the feedback pages). */
  words(language: PageLanguage): (key: string, values?: Record<string, string | number>) => string {
    const t = translator(language);
    return (key, values) => t(key as MessageKey, values);
  }

  entry(path: string): Entry | undefined {
    return this.#entries.get(path);
  }

  /** Calls `listener` after every render of each private page. Private pages never reach the exports. */
  onPrivateRendered(listener: PrivateRenderedListener): () => void {
    this.#privateListeners.add(listener);
    return () => this.#privateListeners.delete(listener);
  }

  /** The live state of an audience's private page, once rendered. */
  privateLive(audience: string): LiveState | undefined {
    return this.#private.get(audience)?.surface.live;
  }

  /** Whether the latest render has a private page for the audience. */
  hasPrivatePage(audience: string): boolean {
    return this.#private.has(audience);
  }

  onRendered(listener: RenderedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks for a refresh soon; bursts of changes (one declare moves several rows) make one render. */
  requestRefresh(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.refresh().catch(() => {});
    }, this.#debounceMs);
  }

  /** Renders now (or right after the render in progress). Resolves when the new surface is live. */
  async refresh(): Promise<void> {
    // A refresh asked for and not yet begun is covered by this one, which reads the database after it.
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      try {
        do {
          this.#again = false;
          await this.#render();
        } while (this.#again && !this.#closed);
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  async #render(): Promise<void> {
    const started = performance.now();
    try {
      const snapshot = await loadSnapshot(this.#db, this.#settings, this.#clock.now());
      // First what most readers and every program ask for: the page's own paths, the API, the
      // feeds. The pages at /LANG/ from the previous render stay until theirs are done, so
      // no address goes missing meanwhile; listeners (live events, exports) hear of the whole.
      const surface = renderSurface(snapshot, undefined, { deferLanguages: true });
      const first = await buildEntries(surface.files, this.#entries);
      const interim = new Map(this.#entries);
      for (const [path, entry] of first) interim.set(path, entry);
      this.#entries = interim;
      this.#languages = LanguageChoice.of(surface, interim, this.#languages);
      this.#surface = surface;
      this.#generation++;
      const languages = new Map<string, Entry>();
      for (const language of pageLanguages) {
        await new Promise((resolve) => setImmediate(resolve));
        // A newer change is waiting: show it first, unless the other languages have waited long enough.
        const waiting = this.#again || this.#timer !== undefined;
        if (waiting && performance.now() - this.#completedAt < this.#languagesMaxWaitMs) return;
        const built = await buildEntries(surface.languageFiles(language), this.#entries);
        for (const [path, entry] of built) languages.set(path, entry);
      }
      const next = new Map([...first, ...languages]);
      const privates = await this.#renderPrivate(snapshot.now);
      this.#entries = next;
      this.#languages = LanguageChoice.of(surface, next, this.#languages);
      this.#private = privates;
      this.#generation++;
      this.#schedulePolish();
      this.#completedAt = performance.now();
      this.stats.renders++;
      this.stats.lastRenderMs = Math.round(performance.now() - started);
      this.stats.lastRenderAt = new Date().toISOString();
      this.stats.lastError = '';
      for (const listener of this.#listeners) {
        try {
          listener(surface, next);
        } catch (err) {
          this.#log.error({ err }, 'status page listener failed');
        }
      }
      for (const [audience, p] of privates) {
        for (const listener of this.#privateListeners) {
          try {
            listener(audience, p.surface);
          } catch (err) {
            this.#log.error({ err, audience }, 'private page listener failed');
          }
        }
      }
    } catch (err) {
      this.stats.renderFailures++;
      this.stats.lastError = err instanceof Error ? err.message : String(err);
      // The last good surface stays in place: a database outage must not blank the page.
      this.#log.error({ err }, 'status page render failed; serving the last good version');
      throw err;
    }
  }

  #schedulePolish(): void {
    if (this.#closed) return;
    clearTimeout(this.#polishTimer);
    this.#polishTimer = setTimeout(() => {
      this.#polishTimer = undefined;
      this.polish().catch((err: unknown) => this.#log.error({ err }, 'status page compression failed'));
    }, this.#polishDelayMs);
    this.#polishTimer.unref();
  }

  /**
   * Compresses at the best ratio every entry of the latest render that was
   * compressed fast, public ones first, one at a time so the process keeps
   * its core for requests and renders. Stops as soon as a refresh is asked
   * for or starts: that render keeps what is polished (same content, same
   * entry) and schedules the rest again.
   */
  async polish(): Promise<void> {
    const generation = this.#generation;
    const superseded = () =>
      this.#closed ||
      generation !== this.#generation ||
      this.#timer !== undefined ||
      this.#running !== undefined;
    const polishAll = async (map: Map<string, Entry>) => {
      for (const [path, entry] of map) {
        if (entry.polished) continue;
        if (superseded()) return false;
        const best = await polishEntry(entry);
        if (superseded()) return false;
        map.set(path, best);
      }
      return true;
    };
    if (!(await polishAll(this.#entries))) return;
    // The page's own paths answer in the reader's language from entries picked at render time: pick again.
    if (this.#surface) this.#languages = LanguageChoice.of(this.#surface, this.#entries, this.#languages);
    for (const p of this.#private.values()) {
      const done = await polishAll(p.entries);
      // Picked again even when stopped halfway: the polished entries replaced the ones it held.
      p.languages = LanguageChoice.of(p.surface, p.entries, p.languages);
      if (!done) return;
    }
  }

  /** Every audience's private page, from the same instant as the public one; each held apart from it. */
  async #renderPrivate(now: Date): Promise<Map<string, PrivateRender>> {
    const plan = await currentPlan(this.#db).catch(() => null);
    const out = new Map<string, PrivateRender>();
    for (const audience of privateAudiencesOf(plan)) {
      const snapshot = await loadSnapshot(this.#db, this.#settings, now, audience);
      const surface = renderSurface(snapshot, {
        audience,
        base: `/a/${audience}`,
        feedToken: await audienceFeedToken(this.#db, audience),
      });
      const previous = this.#private.get(audience);
      const entries = await buildEntries(surface.files, previous?.entries, 'private');
      const languages = LanguageChoice.of(surface, entries, previous?.languages ?? LanguageChoice.none);
      out.set(audience, { surface, entries, languages });
    }
    return out;
  }

  /**
   * Answers a GET or HEAD for a path of an audience's private page (`/`,
   * `/history`, `/fr/history`, `/api/v2/summary.json`...), or its own 404
   * page; 503 before the first render. The page's own paths answer in the
   * reader's language, as the public page's do. The caller has checked that
   * the reader may see it.
   */
  servePrivate(audience: string, path: string, req: IncomingMessage, res: ServerResponse): void {
    const p = this.#private.get(audience);
    let clean = path === '' ? '/' : path;
    if (clean.length > 1 && clean.endsWith('/')) clean = clean.slice(0, -1);
    const entry = p?.entries.get(clean);
    if (p && entry) {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const headers = requestHeaders(req);
      const chosen = p.languages.pick(clean, q < 0 ? undefined : url.slice(q + 1), headers.acceptLanguage);
      this.send(req, res, chosen ?? entry, 200, headers);
      return;
    }
    const notFound = p?.entries.get(NOT_FOUND_PATH);
    if (!notFound) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end('The page is starting; try again in a few seconds.\n');
      return;
    }
    this.send(req, res, notFound, 404);
  }

  /**
   * Answers a GET or HEAD for a public path from memory. Returns false when
   * the path is not part of the surface (the caller falls through to the
   * router). `/badge.svg?component=<id>` maps to the component's badge.
   */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    if (path === '/badge.svg' && q >= 0) {
      const component = new URLSearchParams(url.slice(q + 1)).get('component');
      if (component) path = `/badge/${component}.svg`;
    }
    const entry = this.#entries.get(path);
    if (!entry) return false;
    const headers = requestHeaders(req);
    const query = q < 0 ? undefined : url.slice(q + 1);
    this.send(req, res, this.#languages.pick(path, query, headers.acceptLanguage) ?? entry, 200, headers);
    return true;
  }

  /** Like `serve`, but answers unknown paths with the not-found page. */
  serveOrNotFound(req: IncomingMessage, res: ServerResponse): void {
    if (this.serve(req, res)) return;
    const notFound = this.#entries.get(NOT_FOUND_PATH);
    if (!notFound) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      res.end('The status page is starting; try again in a few seconds.\n');
      return;
    }
    this.send(req, res, notFound, 404);
  }

  send(
    req: IncomingMessage,
    res: ServerResponse,
    entry: Entry,
    status: number,
    { acceptEncoding, ifNoneMatch }: RequestHeaders = requestHeaders(req),
  ): void {
    const variant = entry[pickEncoding(acceptEncoding)];
    if (status === 200 && matchesEtag(ifNoneMatch, entry.tag)) {
      res.writeHead(304, variant.notModified);
      res.end();
      return;
    }
    res.writeHead(status, variant.headers);
    if (req.method === 'HEAD') res.end();
    else res.end(variant.body);
  }

  /** Stops rendering; resolves once a render in progress has finished reading the database. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    clearTimeout(this.#polishTimer);
    this.#listeners.clear();
    this.#privateListeners.clear();
    await this.#running?.catch(() => undefined);
  }
}
