/**
 * One lane per kind of subscriber, and one per broadcast channel: its own claims, its own concurrency, rate
 * limit and circuit breaker, so a slow or failing provider only ever holds
 * up its own deliveries. Claims run ahead of the senders (a prefetch of one
 * batch) and outcomes are written in batches, so the database stays off the
 * critical path of sending.
 */
import type { Logger } from 'pino';
import { moduleOf } from '../channels/registry.ts';
import { type TraceParent, tracedSend, tracing } from '../channels/tracing.ts';
import { type Channel, networkFailure, type SendResult } from '../channels/types.ts';
import type { ChannelKind, TextVariant } from '../domain/channel-limits.ts';
import type { Clock } from '../domain/clock.ts';
import type { Db } from '../store/db.ts';
import {
  type ClaimedDelivery,
  claimDeliveries,
  type DeliveryOutcome,
  recordOutcomes,
} from '../store/deliveries.ts';
import { renewDeliveryLeases } from '../store/leases.ts';
import type { SoftBouncePolicy } from '../store/suppressions.ts';
import type { LaneSettings } from './channel-set.ts';
import type { FailingChannels } from './failing-channels.ts';
import { Fifo } from './fifo.ts';
import { CircuitBreaker, type HostPacer, RateLimiter, targetHost } from './limits.ts';
import type { DeliveryMetrics } from './metrics.ts';
import { outcomeOf } from './outcome.ts';
import type { Renderer } from './render.ts';

/** What the channel's module says its text is: its kind and template variant. */
function renderAs(channel: Channel): { channelKind?: ChannelKind; variant: TextVariant | null } {
  const module = moduleOf(channel.type);
  return module ? { channelKind: module.kind, variant: module.variant } : { variant: null };
}

export interface LaneOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  renderer: Renderer;
  metrics: DeliveryMetrics;
  leaseMs: number;
  pollMs: number;
  batchSize: number;
  flushMs: number;
  /** Paces sends per target host across the worker's lanes (CRIER_DELIVERY_HOST_RATE); none: unpaced. */
  hostPacer?: HostPacer | undefined;
  /** When giving up on a mailbox's temporary refusals suppresses its address (CRIER_SOFT_BOUNCE_LIMIT). */
  softBounces: SoftBouncePolicy;
  /** The channels a game day made to fail for its drill's messages; none: never. */
  failing?: FailingChannels | undefined;
}

/** Longer than this to a host's turn, a delivery goes back to the queue rather than hold a sender. */
const maxPaceWaitMs = 1000;

export class Lane {
  readonly settings: LaneSettings;
  readonly #o: LaneOptions;
  readonly #queue = new Fifo<ClaimedDelivery>();
  /** The fan-out batch each delivery handed over came from; one claimed from the table has none. */
  readonly #parents = new WeakMap<ClaimedDelivery, TraceParent>();
  /**
   * Every delivery this lane holds the lease on and has not yet recorded an outcome for: queued,
   * being sent, or sent and waiting for its outcome to be written. Their leases are renewed while
   * the worker lives (`renewLeases`).
   */
  readonly #held = new Map<string, ClaimedDelivery>();
  readonly #outcomes: DeliveryOutcome[] = [];
  readonly #breakers = new Map<Channel, CircuitBreaker>();
  /** What each of the lane's channels renders as, looked up once rather than per message. */
  readonly #renderAs = new Map<Channel, ReturnType<typeof renderAs>>();
  readonly #limiter: RateLimiter | undefined;
  #claiming: Promise<void> | null = null;
  /**
   * After a claim found nothing, claims ahead of need are skipped until then (performance.now()),
   * unless new work is announced: an empty claim costs a write query, and a lane fed by a fan-out
   * would otherwise make one every time a sender takes a row.
   */
  #dryUntil = 0;
  /** Counts accepts and wakes, so a claim can tell one happened while it ran. */
  #signals = 0;
  #roomWaiters: (() => void)[] = [];
  #flushing: Promise<void> = Promise.resolve();
  #flushTimer: NodeJS.Timeout | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;
  #running: Promise<void> | null = null;
  /** A send must be able to finish within the lease: it starts only with this much of the lease left. */
  readonly #leaseMargin: number;

  constructor(settings: LaneSettings, options: LaneOptions) {
    this.settings = settings;
    this.#o = options;
    this.#leaseMargin = Math.min(10_000, options.leaseMs / 4);
    this.#limiter = settings.ratePerSecond ? new RateLimiter(settings.ratePerSecond) : undefined;
    for (const channel of [settings.channel, settings.fallback]) {
      if (!channel) continue;
      this.#breakers.set(channel, new CircuitBreaker(settings.breakerFailures, settings.breakerCooldownMs));
      this.#renderAs.set(channel, renderAs(channel));
    }
  }

  start(): void {
    const senders = Array.from({ length: this.settings.concurrency }, () => this.#sender());
    this.#running = Promise.all(senders).then(() => undefined);
  }

  /** True while the lane holds less than one claim's worth of work. */
  hasRoom(): boolean {
    return !this.#stopping && this.#queue.length < this.#o.batchSize;
  }

  /** Resolves once the lane has room again (or is stopping). */
  whenRoom(): Promise<void> {
    if (this.#stopping || this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  /** Deliveries already leased to this worker (a fan-out batch, its span `parent`), to send without claiming. */
  accept(rows: readonly ClaimedDelivery[], parent?: TraceParent): void {
    if (parent) for (const row of rows) this.#parents.set(row, parent);
    this.#hold(rows);
    this.#queue.pushAll(rows);
    // Rows arrive leased, so there is nothing new to claim: wake a sleeping sender only.
    this.#signals++;
    this.#wake?.();
  }

  /** New work may be due: stop sleeping and claim again. */
  wake(): void {
    this.#dryUntil = 0;
    this.#signals++;
    this.#wake?.();
  }

  /** Stops claiming, lets sends in flight finish, hands back what was claimed but not sent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const resolve of this.#roomWaiters.splice(0)) resolve();
    this.wake();
    await this.#running;
    if (this.#claiming) await this.#claiming;
    const retryAt = this.#o.clock.now().toISOString();
    for (const d of this.#queue.drain()) this.#outcomes.push({ id: d.id, state: 'released', retryAt });
    await this.flush();
  }

  async #sender(): Promise<void> {
    for (;;) {
      const next = await this.#next();
      if (next === null) return;
      const outcome = await this.#deliver(next);
      this.#outcomes.push(outcome);
      if (this.#outcomes.length >= this.#o.batchSize) void this.flush();
      else this.#scheduleFlush();
    }
  }

  async #next(): Promise<ClaimedDelivery | null> {
    for (;;) {
      if (this.#stopping) return null;
      const d = this.#queue.shift();
      if (d) {
        if (this.#roomWaiters.length > 0 && this.hasRoom())
          for (const resolve of this.#roomWaiters.splice(0)) resolve();
        if (this.#queue.length < this.settings.concurrency && performance.now() >= this.#dryUntil)
          this.#claim(false);
        return d;
      }
      await this.#claim(true);
    }
  }

  /** One claim at a time; when nothing is due, the claim waits out the poll interval (or a wake). */
  #claim(sleepWhenEmpty: boolean): Promise<void> {
    if (this.#claiming) return this.#claiming;
    this.#claiming = (async () => {
      const signals = this.#signals;
      try {
        const got = await claimDeliveries(
          this.#o.db,
          this.settings.key,
          this.#o.clock.now(),
          this.#o.leaseMs,
          this.#o.batchSize,
          this.settings.account,
        );
        this.#hold(got);
        this.#queue.pushAll(got);
        // Work that arrived while the claim ran (other code runs between its awaits) is not
        // missed: no sleep, and no dry spell, after an accept or a wake.
        const quiet = got.length === 0 && this.#signals === signals;
        this.#dryUntil = quiet ? performance.now() + this.#o.pollMs : 0;
        if (quiet && sleepWhenEmpty && !this.#stopping) await this.#sleep(this.#o.pollMs);
      } catch (err) {
        this.#o.log.error({ err, lane: this.settings.key }, 'claiming deliveries failed');
        await this.#sleep(this.#o.pollMs);
      } finally {
        this.#claiming = null;
      }
    })();
    return this.#claiming;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.#wake === done) self.#wake = null;
        resolve();
      }
      this.#wake = done;
    });
  }

  #scheduleFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      void this.flush();
    }, this.#o.flushMs);
  }

  /** Writes the outcomes gathered so far; flushes run one after another. */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(async () => {
      const batch = this.#outcomes.splice(0);
      if (batch.length === 0) return;
      try {
        await recordOutcomes(this.#o.db, this.settings.key, batch, this.#o.clock.now(), this.#o.softBounces);
      } catch (err) {
        // Left unwritten, these deliveries are sent again after their lease: duplicates, never losses.
        this.#o.log.error({ err, lane: this.settings.key, count: batch.length }, 'recording outcomes failed');
      }
      for (const o of batch) this.#held.delete(o.id);
    });
    return this.#flushing;
  }

  #hold(rows: readonly ClaimedDelivery[]): void {
    for (const row of rows) this.#held.set(row.id, row);
  }

  /** How many deliveries this lane holds a lease on now. */
  get held(): number {
    return this.#held.size;
  }

  /**
   * Renews the lease of every delivery this lane holds, to `until`. Rows whose lease ran out and
   * went to another worker are not renewed, and are dropped here: their sender skips them.
   */
  async renewLeases(until: Date): Promise<void> {
    const byLease = new Map<number, string[]>();
    for (const [id, d] of this.#held) {
      const ids = byLease.get(d.lease_until_ms);
      if (ids) ids.push(id);
      else byLease.set(d.lease_until_ms, [id]);
    }
    const untilMs = until.getTime();
    for (const [heldUntil, ids] of byLease) {
      if (heldUntil >= untilMs) continue;
      const renewed = await renewDeliveryLeases(this.#o.db, ids, new Date(heldUntil), until);
      for (const id of renewed) {
        const d = this.#held.get(id);
        if (d) d.lease_until_ms = untilMs;
      }
      if (renewed.length < ids.length) {
        const kept = new Set(renewed);
        for (const id of ids) if (!kept.has(id)) this.#held.delete(id);
      }
    }
  }

  async #deliver(d: ClaimedDelivery): Promise<DeliveryOutcome> {
    const { channel, fallback, retry } = this.settings;
    const nowMs = () => this.#o.clock.now().getTime();
    // A claim that ran out while queued here may already be another worker's: leave it to them.
    if (nowMs() > d.lease_until_ms - this.#leaseMargin) {
      this.#held.delete(d.id);
      return { id: d.id, state: 'expired' };
    }
    const asksToConfirm = d.subject_type === 'confirmation' || d.subject_type === 'verification';
    if (d.subscriber_state !== 'confirmed' && !(asksToConfirm && d.subscriber_state === 'pending')) {
      // Unsubscribed or disabled since the fan-out: nothing more goes to them.
      return { id: d.id, state: 'dead', via: channel.name, error: `subscriber is ${d.subscriber_state}` };
    }
    let via = channel;
    const open = this.#breakers.get(channel)?.openUntil(nowMs()) ?? 0;
    if (open > 0) {
      const fallbackOpen = fallback ? (this.#breakers.get(fallback)?.openUntil(nowMs()) ?? 0) : 1;
      if (!fallback || fallbackOpen > 0) {
        return { id: d.id, state: 'released', retryAt: new Date(Math.max(open, fallbackOpen)).toISOString() };
      }
      via = fallback;
    }
    const paced = this.#pace(d);
    if (paced > maxPaceWaitMs) {
      return { id: d.id, state: 'released', retryAt: new Date(nowMs() + paced).toISOString() };
    }
    if (paced > 0) await new Promise((resolve) => setTimeout(resolve, paced));
    let result = await this.#attempt(via, d);
    // Out of retries on the primary: the fallback gets one go before giving up.
    if (!result.ok && result.retry && d.attempts >= retry.maxAttempts && fallback && via !== fallback) {
      via = fallback;
      result = await this.#attempt(via, d);
    }
    return outcomeOf(d, via.name, result, retry, nowMs);
  }

  /**
   * How long (ms) until this delivery's turn at its target host. Paced in real time, whatever the
   * clock the deliveries are scheduled by; a turn too far off is kept for when the delivery is back.
   */
  #pace(d: ClaimedDelivery): number {
    const pacer = this.#o.hostPacer;
    // A broadcast lane posts to the install's own account, once an update: nothing to pace.
    const host = pacer && !this.settings.account ? targetHost(this.settings.key, d.contact) : null;
    if (!pacer || host === null) return 0;
    const now = performance.now();
    const at = pacer.book(host, d.id, now);
    if (at - now > maxPaceWaitMs) pacer.keep(d.id, at);
    return at - now;
  }

  /**
   * A send, unless a game day made this channel fail for the delivery's drill (failing-channels.ts);
   * traced as a child of its fan-out batch, or alone when it was claimed from the table.
   */
  #attempt(channel: Channel, d: ClaimedDelivery): Promise<SendResult> {
    const failing = this.#o.failing;
    // A real incident, known to run without a game day, is not asked about again for each message.
    if (d.incident_id && failing && !failing.plain(d.incident_id)) {
      return failing
        .reason(d.incident_id, channel.name)
        .then((failed) => (failed ? { ok: false, retry: true, reason: failed } : this.#traced(channel, d)));
    }
    return this.#traced(channel, d);
  }

  #traced(channel: Channel, d: ClaimedDelivery): Promise<SendResult> {
    if (!tracing()) return this.#send(channel, d);
    const attributes = { 'crier.delivery.id': d.id, 'crier.delivery.attempt': d.attempts };
    return tracedSend(channel, attributes, this.#parents.get(d), () => this.#send(channel, d));
  }

  async #send(channel: Channel, d: ClaimedDelivery): Promise<SendResult> {
    if (this.#limiter) await this.#limiter.take();
    const started = performance.now();
    let result: SendResult;
    try {
      const message = await this.#o.renderer.render({
        deliveryId: d.id,
        subjectType: d.subject_type,
        subjectId: d.subject_id,
        token: d.token,
        subscriberId: d.subscriber_id,
        confirmToken: d.confirm_token,
        secret: d.secret,
        locale: d.locale,
        ...(this.#renderAs.get(channel) ?? renderAs(channel)),
      });
      result = await channel.send(
        this.settings.account ?? { contact: d.contact, secret: d.secret, locale: d.locale },
        message,
      );
    } catch (err) {
      result = networkFailure(err);
    }
    const seconds = (performance.now() - started) / 1000;
    this.#breakers.get(channel)?.record(result.ok || !result.retry, this.#o.clock.now().getTime());
    this.#o.metrics.attempt(
      channel.name,
      result.ok ? 'sent' : result.gone ? 'gone' : result.retry ? 'retry' : 'rejected',
      seconds,
    );
    return result;
  }
}
