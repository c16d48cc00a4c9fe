/**
 * Counters and histograms the worker keeps in memory, written out in the
 * Prometheus text format by /metrics (which adds gauges read from the
 * database: deliveries by state, queue depth).
 */

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const fanoutBuckets = [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600];

class Histogram {
  readonly buckets: readonly number[];
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(buckets: readonly number[]) {
    this.buckets = buckets;
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    for (let i = 0; i < this.buckets.length; i++)
      if (value <= (this.buckets[i] ?? 0)) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }
}

export class DeliveryMetrics {
  readonly #attempts = new Map<string, number>();
  readonly #latency = new Map<string, Histogram>();
  readonly #fanout = new Histogram(fanoutBuckets);

  /** One send attempt through `channel` with its outcome (sent, retry, dead, gone). */
  attempt(channel: string, outcome: string, seconds: number): void {
    const key = `${channel}\u0000${outcome}`;
    this.#attempts.set(key, (this.#attempts.get(key) ?? 0) + 1);
    let h = this.#latency.get(channel);
    if (!h) {
      h = new Histogram(latencyBuckets);
      this.#latency.set(channel, h);
    }
    h.observe(seconds);
  }

  fanoutFinished(seconds: number): void {
    this.#fanout.observe(seconds);
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP crier_delivery_attempts_total Send attempts by channel and outcome.');
    lines.push('# TYPE crier_delivery_attempts_total counter');
    for (const [key, n] of this.#attempts) {
      const [channel, outcome] = key.split('\u0000');
      lines.push(
        `crier_delivery_attempts_total{channel="${label(channel)}",outcome="${label(outcome)}"} ${n}`,
      );
    }
    lines.push('# HELP crier_provider_latency_seconds Time a provider took to answer one send.');
    lines.push('# TYPE crier_provider_latency_seconds histogram');
    for (const [channel, h] of this.#latency)
      histogram(lines, 'crier_provider_latency_seconds', h, `channel="${label(channel)}"`);
    lines.push(
      '# HELP crier_fanout_duration_seconds Time from a fan-out starting to its last delivery being written.',
    );
    lines.push('# TYPE crier_fanout_duration_seconds histogram');
    histogram(lines, 'crier_fanout_duration_seconds', this.#fanout, '');
    return `${lines.join('\n')}\n`;
  }
}

function histogram(lines: string[], name: string, h: Histogram, labels: string): void {
  const sep = labels ? `${labels},` : '';
  h.buckets.forEach((b, i) => {
    lines.push(`${name}_bucket{${sep}le="${b}"} ${h.counts[i] ?? 0}`);
  });
  lines.push(`${name}_bucket{${sep}le="+Inf"} ${h.count}`);
  lines.push(`${name}_sum${labels ? `{${labels}}` : ''} ${h.sum}`);
  lines.push(`${name}_count${labels ? `{${labels}}` : ''} ${h.count}`);
}

export function label(value: string | undefined): string {
  return (value ?? '').replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
