/**
 * /console/events: what the open consoles hear, as Server-Sent Events. Each
 * change committed in this process or announced by another (the change bus;
 * PostgreSQL NOTIFY between processes) goes out as `event: change` with its
 * kind and id, and the console's script fetches the page again when it is
 * one it shows. Deliveries are sent by the worker, perhaps in another
 * process, without announcing each one, so for every incident open in a war
 * room the database is asked once a second where its notifications stand
 * (one query per incident, however many consoles watch it), and a move goes
 * out as a `delivery` change.
 *
 * Streams take a lease from the same limiter as the public /events, and
 * end after a few minutes: the browser reconnects at once, and the session
 * is looked up again then, so a stream does not outlive its session.
 */
import type { ServerResponse } from 'node:http';
import type { LiveLimiter } from '../live-limit.ts';

export interface Change {
  readonly kind: string;
  readonly id?: string | undefined;
}

export interface ConsoleEventsDeps {
  /** Calls `listener` for every change; returns the way to stop. */
  subscribe(listener: (change: Change) => void): () => void;
  limiter: LiveLimiter;
  /** A fingerprint of an incident's notifications that changes whenever a delivery moves. */
  progress(incidentId: string): Promise<string>;
  onError(err: unknown): void;
}

/** How long one stream lasts before the browser reconnects (and the session is checked again). */
const STREAM_MS = 5 * 60_000;
const POLL_MS = 1_000;
const SLOW_READER_BYTES = 256 * 1024;

/** Subscribers' ids say nothing a console needs and name people; their changes go out without one. */
const withId = new Set(['incident', 'component', 'maintenance', 'delivery', 'plan']);

interface Client {
  res: ServerResponse;
  incident: string | undefined;
  /** Where its incident's deliveries stood when it was last told (or when its page was made). */
  progress: string | undefined;
}

export class ConsoleEvents {
  readonly #clients = new Set<Client>();
  readonly #deps: ConsoleEventsDeps;
  readonly #stop: () => void;
  readonly #timer: NodeJS.Timeout;
  readonly #heartbeat: NodeJS.Timeout;
  #polling = false;

  constructor(deps: ConsoleEventsDeps) {
    this.#deps = deps;
    this.#stop = deps.subscribe((change) => this.#broadcast(change));
    this.#timer = setInterval(() => void this.#poll(), POLL_MS);
    this.#timer.unref();
    this.#heartbeat = setInterval(() => this.#write(': ping\n\n'), 25_000);
    this.#heartbeat.unref();
  }

  get clients(): number {
    return this.#clients.size;
  }

  /**
   * Opens a stream for a signed-in person, following one incident's deliveries when given (with where
   * they stood when the page was made, as the page said); false when refused.
   */
  attach(res: ServerResponse, address: string, follow?: { incident: string; progress?: string }): boolean {
    const lease = this.#deps.limiter.acquire(address);
    if (!lease.ok) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '30' });
      res.end('Too many live connections; the console still works without them.\n');
      return false;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.write('retry: 2000\n\n');
    const client: Client = { res, incident: follow?.incident, progress: follow?.progress };
    this.#clients.add(client);
    const end = setTimeout(() => res.end(), STREAM_MS);
    end.unref();
    res.on('close', () => {
      clearTimeout(end);
      this.#clients.delete(client);
      lease.release();
    });
    return true;
  }

  #broadcast(change: Change, only?: (client: Client) => boolean): void {
    const data = { kind: change.kind, ...(withId.has(change.kind) && change.id && { id: change.id }) };
    this.#write(`event: change\ndata: ${JSON.stringify(data)}\n\n`, only);
  }

  #write(text: string, only?: (client: Client) => boolean): void {
    for (const client of this.#clients) {
      if (only && !only(client)) continue;
      if (client.res.writableLength > SLOW_READER_BYTES) client.res.destroy();
      else client.res.write(text);
    }
  }

  async #poll(): Promise<void> {
    if (this.#polling) return;
    const watched = new Set([...this.#clients].flatMap((c) => (c.incident ? [c.incident] : [])));
    if (watched.size === 0) return;
    this.#polling = true;
    try {
      for (const id of watched) {
        const now = await this.#deps.progress(id);
        this.#broadcast({ kind: 'delivery', id }, (c) => {
          if (c.incident !== id || c.progress === now) return false;
          c.progress = now;
          return true;
        });
      }
    } catch (err) {
      this.#deps.onError(err);
    } finally {
      this.#polling = false;
    }
  }

  close(): void {
    this.#stop();
    clearInterval(this.#timer);
    clearInterval(this.#heartbeat);
    for (const client of this.#clients) client.res.end();
    this.#clients.clear();
  }
}
