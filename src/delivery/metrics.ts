/**
 * Counters and histograms the worker keeps in memory (prom-client), in a registry of its
 * own: /metrics merges it with the process's metrics and the gauges read from the database
 * (src/http/metrics.ts).
 */
import { Counter, Histogram, Registry } from 'prom-client';

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const fanoutBuckets = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600];

export class DeliveryMetrics {
  readonly registry = new Registry();
  readonly #attempts = new Counter({
    name: 'crier_delivery_attempts_total',
    help: 'Send attempts by channel and outcome.',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #latency = new Histogram({
    name: 'crier_provider_latency_seconds',
    help: 'Time a provider took to answer one send.',
    labelNames: ['channel'] as const,
    buckets: latencyBuckets,
    registers: [this.registry],
  });
  readonly #fanout = new Histogram({
    name: 'crier_fanout_duration_seconds',
    help: 'Time from a fan-out starting to its last delivery being written.',
    buckets: fanoutBuckets,
    registers: [this.registry],
  });

  /**
   * Each channel's series, looked up once: prom-client otherwise builds and hashes a label set
   * for every send, twice.
   */
  readonly #series = new Map<
    string,
    { latency: { observe(v: number): void }; outcomes: Map<string, { inc(): void }> }
  >();

  /** One send attempt through `channel` with its outcome (sent, retry, dead, gone). */
  attempt(channel: string, outcome: string, seconds: number): void {
    let series = this.#series.get(channel);
    if (!series) {
      series = { latency: this.#latency.labels({ channel }), outcomes: new Map() };
      this.#series.set(channel, series);
    }
    let counter = series.outcomes.get(outcome);
    if (!counter) {
      counter = this.#attempts.labels({ channel, outcome });
      series.outcomes.set(outcome, counter);
    }
    counter.inc();
    series.latency.observe(seconds);
  }

  fanoutFinished(seconds: number): void {
    this.#fanout.observe(seconds);
  }
}
