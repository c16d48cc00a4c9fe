/**
 * Channels a game day made to fail for its drill's messages
 * (src/services/drills/game-day.ts): the lane asks before each send, and a
 * delivery of that drill on that channel fails as in an outage, without
 * touching the provider or the channel's circuit breaker, which real
 * incidents' messages rely on. Read once a second per incident at most.
 */
import type { Clock } from '../domain/clock.ts';

export interface FailingChannel {
  channel: string;
  /** Until when (ISO 8601); null: for as long as the drill's messages go out. */
  until: string | null;
}

export type FailingChannelSource = (incidentId: string) => Promise<readonly FailingChannel[]>;

const ttlMs = 1000;

export class FailingChannels {
  readonly #source: FailingChannelSource;
  readonly #clock: Clock;
  readonly #byIncident = new Map<string, { at: number; value: readonly FailingChannel[] }>();

  constructor(source: FailingChannelSource, clock: Clock) {
    this.#source = source;
    this.#clock = clock;
  }

  /** Why `channel` fails for this incident's messages now, or null when it does not. */
  async reason(incidentId: string, channel: string): Promise<string | null> {
    const failing = await this.#read(incidentId);
    const now = this.#clock.now().toISOString();
    const hit = failing.some((f) => f.channel === channel && (f.until === null || f.until > now));
    return hit ? `${channel} made to fail by the game day (a drill)` : null;
  }

  async #read(incidentId: string): Promise<readonly FailingChannel[]> {
    const now = performance.now();
    const cached = this.#byIncident.get(incidentId);
    if (cached && cached.at + ttlMs > now) return cached.value;
    if (this.#byIncident.size > 1000) this.#byIncident.clear();
    const value = await this.#source(incidentId);
    this.#byIncident.set(incidentId, { at: now, value });
    return value;
  }
}
