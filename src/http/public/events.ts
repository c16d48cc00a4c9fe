/**
 * /events: Server-Sent Events for the page's live script and the embed.
 * Each client gets the current state on connect and again after every
 * render; a comment every 25 s keeps proxies from closing idle streams.
 * Streams are capped per address and in total by the shared LiveLimiter;
 * a client that stops reading is dropped once its backlog passes
 * SLOW_READER_BYTES, so it cannot make the process buffer without end.
 */
import type { ServerResponse } from 'node:http';
import type { LiveLimiter } from '../live-limit.ts';
import { type LiveFrame, type LiveSource, type PublicPage, privateLiveSource } from './page.ts';

/** A few dozen states: a reader this far behind is gone or hostile; it reconnects and catches up. */
export const SLOW_READER_BYTES = 256 * 1024;

export class LiveEvents {
  readonly #clients = new Set<ServerResponse>();
  readonly #page: LiveSource;
  readonly #limiter: LiveLimiter;
  readonly #stop: () => void;
  readonly #heartbeat: NodeJS.Timeout;
  #lastVersion = '';
  readonly #headers: Record<string, string>;

  /** `anyOrigin`: the public stream may be read from any site; a private page's only from its own. */
  constructor(page: LiveSource, limiter: LiveLimiter, options: { anyOrigin: boolean } = { anyOrigin: true }) {
    this.#page = page;
    this.#headers = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': options.anyOrigin ? 'no-cache, no-transform' : 'private, no-cache, no-transform',
      ...(options.anyOrigin && { 'access-control-allow-origin': '*' }),
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    };
    this.#limiter = limiter;
    this.#stop = page.onRendered((surface) => {
      if (surface.version === this.#lastVersion) return;
      this.#lastVersion = surface.version;
      this.#broadcast(frame(surface.live));
    });
    this.#heartbeat = setInterval(() => this.#broadcast(': ping\n\n'), 25_000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /**
   * Takes over the response and keeps it open, or answers 503 with
   * Retry-After when the client's address or the process holds all the
   * streams it may. Returns whether the stream was opened.
   */
  attach(res: ServerResponse, address: string): boolean {
    const lease = this.#limiter.acquire(address);
    if (!lease.ok) {
      const why =
        lease.reason === 'address'
          ? 'Too many live connections from your address'
          : 'Too many live connections';
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
      res.end(`${why}; the page still works without them.\n`);
      return false;
    }
    res.writeHead(200, this.#headers);
    res.write('retry: 5000\n\n');
    const live = this.#page.live;
    if (live) res.write(frame(live));
    this.#clients.add(res);
    res.on('close', () => {
      this.#clients.delete(res);
      lease.release();
    });
    return true;
  }

  #broadcast(data: string): void {
    for (const res of this.#clients) {
      if (res.writableLength > SLOW_READER_BYTES) res.destroy();
      else res.write(data);
    }
  }

  close(): void {
    this.#stop();
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}

function frame(state: LiveFrame): string {
  // JSON.stringify never emits a raw newline, so one data line carries the whole state.
  return `event: state\nid: ${state.version}\ndata: ${JSON.stringify(state)}\n\n`;
}

/**
 * The live streams of the private pages, one set per audience, made on
 * first use and sharing the process's caps with the public stream.
 */
export class PrivateLiveEvents {
  readonly #page: PublicPage;
  readonly #limiter: LiveLimiter;
  readonly #byAudience = new Map<string, LiveEvents>();

  constructor(page: PublicPage, limiter: LiveLimiter) {
    this.#page = page;
    this.#limiter = limiter;
  }

  of(audience: string): LiveEvents {
    let events = this.#byAudience.get(audience);
    if (!events) {
      events = new LiveEvents(privateLiveSource(this.#page, audience), this.#limiter, { anyOrigin: false });
      this.#byAudience.set(audience, events);
    }
    return events;
  }

  close(): void {
    for (const events of this.#byAudience.values()) events.close();
    this.#byAudience.clear();
  }
}
