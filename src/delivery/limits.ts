/** Retry timing, rate limits and circuit breakers: small pieces of the worker with no I/O. */
import { pushSubscriptionOf } from '../channels/webpush.ts';

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

/**
 * Sends to one host, paced across every lane of a worker: at most
 * `perSecond` started per second per host, up to a second's worth at once
 * (a generic cell rate algorithm). `book` gives a delivery the next free
 * instant for its host. A delivery whose instant is far off goes back to the
 * queue until then and keeps its booking, so when it is claimed again it
 * goes at once instead of booking anew behind the ones booked after it.
 */
export class HostPacer {
  readonly #interval: number;
  readonly #tolerance: number;
  /** Per host, the instant (ms) the next send would be due if every booking went out evenly. */
  readonly #due = new Map<string, number>();
  /** Bookings of deliveries put back to wait for their instant, by delivery id. */
  readonly #booked = new Map<string, number>();
  #lastSweep = 0;

  constructor(perSecond: number) {
    this.#interval = 1000 / perSecond;
    this.#tolerance = Math.max(0, 1000 - this.#interval);
  }

  /** The instant (ms) this delivery may start sending to `host`. */
  book(host: string, deliveryId: string, now: number): number {
    this.#sweep(now);
    const booked = this.#booked.get(deliveryId);
    if (booked !== undefined) {
      this.#booked.delete(deliveryId);
      return booked;
    }
    const due = Math.max(this.#due.get(host) ?? now, now);
    this.#due.set(host, due + this.#interval);
    return Math.max(now, due - this.#tolerance);
  }

  /** Keeps a delivery's instant for when it comes back. */
  keep(deliveryId: string, at: number): void {
    this.#booked.set(deliveryId, at);
  }

  /** Forgets hosts that are idle again, and bookings nobody came back for (sent by another worker). */
  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [host, due] of this.#due) if (due < now) this.#due.delete(host);
    for (const [id, at] of this.#booked) if (at < now - 600_000) this.#booked.delete(id);
  }
}

/** The host a subscriber's URL (webhook, chat) or push endpoint points at, lower case; null for email, phones and apps. */
export function targetHost(kind: string, contact: string): string | null {
  try {
    if (kind === 'push') {
      const endpoint = pushSubscriptionOf(contact)?.endpoint;
      return endpoint ? new URL(endpoint).hostname : null;
    }
    if (kind === 'email' || kind === 'sms' || kind === 'voice' || kind === 'fcm' || kind === 'apns')
      return null;
    return new URL(contact).hostname;
  } catch {
    return null;
  }
}
