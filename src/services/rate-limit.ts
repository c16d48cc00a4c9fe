/** Rate limits for the public and ingest routes. */

/** A fixed-window counter per key, in memory: each process counts its own requests. */
export class RateLimit {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #hits = new Map<string, { count: number; until: number }>();
  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }
  /** Counts one hit; false when over the limit. */
  hit(key: string, now: number): boolean {
    if (this.#hits.size > 50_000) {
      for (const [k, v] of this.#hits) if (v.until <= now) this.#hits.delete(k);
    }
    const entry = this.#hits.get(key);
    if (!entry || entry.until <= now) {
      this.#hits.set(key, { count: 1, until: now + this.#windowMs });
      return true;
    }
    entry.count += 1;
    return entry.count <= this.#limit;
  }

  /** Whether `key` already used up its window, without counting a hit. */
  spent(key: string, now: number): boolean {
    const entry = this.#hits.get(key);
    return entry !== undefined && entry.until > now && entry.count >= this.#limit;
  }
}
