/** What a send's result makes of a delivery: the outcome its lane writes (src/delivery/lane.ts). */
import type { SendResult } from '../channels/types.ts';
import type { ClaimedDelivery, DeliveryOutcome } from '../store/deliveries.ts';
import { type RetryPolicy, retryDelay } from './limits.ts';

/**
 * Sent; dead when the provider says the address is gone (which disables the subscriber), refused
 * it for good, or it ran out of attempts; otherwise failed, to be tried again after the policy's
 * delay (or the provider's Retry-After).
 */
export function outcomeOf(
  d: ClaimedDelivery,
  via: string,
  result: SendResult,
  retry: RetryPolicy,
  nowMs: () => number,
): DeliveryOutcome {
  if (result.ok) {
    return {
      id: d.id,
      state: 'sent',
      via,
      providerId: result.providerId ?? null,
      // A webhook that echoed its challenge has shown it wants the events.
      ...(d.subject_type === 'verification' && { confirmsSubscriber: true }),
    };
  }
  if (result.gone) {
    return { id: d.id, state: 'dead', via, error: result.reason, disableSubscriber: result.reason };
  }
  if (!result.retry || d.attempts >= retry.maxAttempts) {
    const dead = { id: d.id, state: 'dead', via, error: result.reason } as const;
    return result.softBounce ? { ...dead, softBounce: result.reason } : dead;
  }
  const delay = retryDelay(retry, d.attempts, result.retryAfterMs);
  return {
    id: d.id,
    state: 'failed',
    via,
    error: result.reason,
    retryAt: new Date(nowMs() + delay).toISOString(),
  };
}
