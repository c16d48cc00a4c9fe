/**
 * /events: Server-Sent Events for the page's live script and the embed.
 * Each client gets the current state on connect and again after every
 * render; a comment every 25 s keeps proxies from closing idle streams.
 */
import type { ServerResponse } from 'node:http';
import type { StatusPage } from '../../statuspage/cache.ts';
import type { LiveState } from '../../statuspage/surface.ts';

const MAX_CLIENTS = 20_000;

export class LiveEvents {
  readonly #clients = new Set<ServerResponse>();
  readonly #page: StatusPage;
  readonly #stop: () => void;
  readonly #heartbeat: NodeJS.Timeout;
  #lastVersion = '';

  constructor(page: StatusPage) {
    this.#page = page;
    this.#stop = page.onRendered((surface) => {
      if (surface.version === this.#lastVersion) return;
      this.#lastVersion = surface.version;
      this.#broadcast(surface.live);
    });
    this.#heartbeat = setInterval(() => {
      for (const res of this.#clients) res.write(': ping\n\n');
    }, 25_000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Takes over the response and keeps it open. Returns false when at capacity. */
  attach(res: ServerResponse): boolean {
    if (this.#clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'access-control-allow-origin': '*',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write('retry: 5000\n\n');
    const live = this.#page.live;
    if (live) res.write(frame(live));
    this.#clients.add(res);
    res.on('close', () => this.#clients.delete(res));
    return true;
  }

  #broadcast(state: LiveState): void {
    const data = frame(state);
    for (const res of this.#clients) res.write(data);
  }

  close(): void {
    this.#stop();
    clearInterval(this.#heartbeat);
    for (const res of this.#clients) res.end();
    this.#clients.clear();
  }
}

function frame(state: LiveState): string {
  // JSON.stringify never emits a raw newline, so one data line carries the whole state.
  return `event: state\nid: ${state.version}\ndata: ${JSON.stringify(state)}\n\n`;
}
