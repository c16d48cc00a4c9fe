/**
 * How many live streams (long-held responses such as /events) the process
 * holds, per client address and in total. Every live stream takes a lease
 * before it answers 200 and gives it back when the client leaves, so one
 * address cannot hold the descriptors every other request needs. One
 * limiter is shared by every live route: the caps count streams, whichever
 * route opened them.
 */
import { Counter, Gauge, Registry } from 'prom-client';

export interface LiveLimits {
  /** Streams one client address (an IPv6 /64) may hold at once. */
  readonly perAddress: number;
  /** Streams the process holds at once, from everyone. */
  readonly total: number;
}

export type LiveLease = { ok: true; release: () => void } | { ok: false; reason: 'address' | 'total' };

/**
 * The key an address is counted under: IPv4 as is (also when written as an
 * IPv4-mapped IPv6 address), IPv6 by its /64, since one host is commonly
 * handed a whole /64 and could otherwise open streams from each address in it.
 */
export function addressKey(address: string): string {
  const plain = address.split('%')[0] ?? address;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(plain);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

export class LiveLimiter {
  readonly limits: LiveLimits;
  readonly #byAddress = new Map<string, number>();
  #total = 0;
  /** Streams refused since start, by which cap refused them (for /metrics). */
  readonly refused = { address: 0, total: 0 };

  /** Its gauge and counter, for /metrics to merge. */
  readonly registry = new Registry();

  constructor(limits: LiveLimits) {
    this.limits = limits;
    const limiter = this;
    new Gauge({
      name: 'crier_live_streams',
      help: 'Live streams (/events) held open now.',
      registers: [this.registry],
      collect() {
        this.set(limiter.held);
      },
    });
    new Counter({
      name: 'crier_live_streams_refused_total',
      help: 'Live streams answered 503, by the cap that refused them.',
      labelNames: ['cap'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc({ cap: 'address' }, limiter.refused.address);
        this.inc({ cap: 'total' }, limiter.refused.total);
      },
    });
  }

  /** Streams held now. */
  get held(): number {
    return this.#total;
  }

  /** Streams held now by the client at `address`. */
  heldBy(address: string): number {
    return this.#byAddress.get(addressKey(address)) ?? 0;
  }

  /** Takes one stream for `address`, or says which cap is reached. `release` is safe to call twice. */
  acquire(address: string): LiveLease {
    const key = addressKey(address);
    const mine = this.#byAddress.get(key) ?? 0;
    if (mine >= this.limits.perAddress) {
      this.refused.address++;
      return { ok: false, reason: 'address' };
    }
    if (this.#total >= this.limits.total) {
      this.refused.total++;
      return { ok: false, reason: 'total' };
    }
    this.#byAddress.set(key, mine + 1);
    this.#total++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#total--;
        const left = (this.#byAddress.get(key) ?? 1) - 1;
        if (left > 0) this.#byAddress.set(key, left);
        else this.#byAddress.delete(key);
      },
    };
  }
}
