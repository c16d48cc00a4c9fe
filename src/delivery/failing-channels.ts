/**
 * Channels a game day made to fail for its drill's messages
 * (src/services/drills/game-day.ts): the lane asks before each send, and so
 * does a notice's job (jobs.ts), and a delivery or notice of that drill on
 * that channel fails as in an outage, without
 * touching the provider or the channel's circuit breaker, which real
 * incidents' messages rely on. An incident no game day runs is known as
 * such once (a game day declares its own drill); a game day's drill, whose
 * messages are few, is read again before each send.
 */
import type { Clock } from '../domain/clock.ts';

export interface FailingChannel {
  channel: string;
  /** Until when (ISO 8601); null: for as long as the drill's messages go out. */
  until: string | null;
}

/** An incident's failing channels; null when no game day runs it (as for every real incident). */
export type FailingChannelSource = (incidentId: string) => Promise<readonly FailingChannel[] | null>;

export class FailingChannels {
  readonly #source: FailingChannelSource;
  readonly #clock: Clock;
  /** Incidents known to run without a game day. */
  readonly #plain = new Set<string>();

  constructor(source: FailingChannelSource, clock: Clock) {
    this.#source = source;
    this.#clock = clock;
  }

  /**
   * Whether this incident is known to run without a game day, so nothing of it can fail by one:
   * asked before `reason`, it spares every message of a real incident an await and a clock read.
   */
  plain(incidentId: string): boolean {
    return this.#plain.has(incidentId);
  }

  /** Why `channel` fails for this incident's messages now, or null when it does not. */
  async reason(incidentId: string, channel: string): Promise<string | null> {
    const failing = await this.#read(incidentId);
    const now = this.#clock.now().toISOString();
    const hit = failing.some((f) => f.channel === channel && (f.until === null || f.until > now));
    return hit ? `${channel} made to fail by the game day (a drill)` : null;
  }

  async #read(incidentId: string): Promise<readonly FailingChannel[]> {
    if (this.#plain.has(incidentId)) return [];
    const value = await this.#source(incidentId);
    if (value !== null) return value;
    if (this.#plain.size > 10_000) this.#plain.clear();
    this.#plain.add(incidentId);
    return [];
  }
}
