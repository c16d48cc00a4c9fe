/** Retry timing, rate limits and circuit breakers: small pieces of the worker with no I/O. */

export interface RetryPolicy {
  maxAttempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter (a random delay up to base·2^(attempt-1),
 * capped), never sooner than a provider's Retry-After.
 */
export function retryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.max(policy.baseMs / 2, Math.round(ceiling * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** A token bucket: `take()` resolves when a send may start. */
export class RateLimiter {
  readonly #perSecond: number;
  #tokens: number;
  #last: number;
  constructor(perSecond: number) {
    this.#perSecond = perSecond;
    this.#tokens = Math.max(1, perSecond);
    this.#last = performance.now();
  }
  async take(): Promise<void> {
    for (;;) {
      const now = performance.now();
      this.#tokens = Math.min(
        Math.max(1, this.#perSecond),
        this.#tokens + ((now - this.#last) / 1000) * this.#perSecond,
      );
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.#tokens) / this.#perSecond) * 1000)));
    }
  }
}

/**
 * Opens after `threshold` consecutive retryable failures and stays open for
 * `cooldownMs`; then one trial send decides whether it closes again.
 */
export class CircuitBreaker {
  readonly #threshold: number;
  readonly #cooldownMs: number;
  #failures = 0;
  #openUntil = 0;
  constructor(threshold: number, cooldownMs: number) {
    this.#threshold = threshold;
    this.#cooldownMs = cooldownMs;
  }
  /** The instant (ms) until which sends should not be tried, or 0 when closed. */
  openUntil(now: number): number {
    return this.#openUntil > now ? this.#openUntil : 0;
  }
  record(healthy: boolean, now: number): void {
    if (healthy) {
      this.#failures = 0;
      this.#openUntil = 0;
      return;
    }
    this.#failures += 1;
    if (this.#failures >= this.#threshold) this.#openUntil = now + this.#cooldownMs;
  }
}
