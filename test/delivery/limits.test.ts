import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRetryAfter } from '../../src/channels/types.ts';
import { CircuitBreaker, RateLimiter, retryDelay } from '../../src/delivery/limits.ts';

const policy = { maxAttempts: 8, baseMs: 1000, maxMs: 60_000 };

test('backoff grows exponentially with jitter, stays under the cap, and never undercuts Retry-After', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 30 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.option(fc.integer({ min: 0, max: 600_000 })),
      (attempt, r, after) => {
        const delay = retryDelay(policy, attempt, after ?? undefined, () => r);
        const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
        assert.ok(delay >= (after ?? 0));
        if (after === null)
          assert.ok(delay >= policy.baseMs / 2 && delay <= Math.max(ceiling, policy.baseMs / 2));
      },
    ),
  );
  assert.equal(
    retryDelay(policy, 3, undefined, () => 1),
    4000,
  );
  assert.equal(
    retryDelay(policy, 20, undefined, () => 1),
    60_000,
  );
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  assert.equal(parseRetryAfter('120'), 120_000);
  assert.equal(
    parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    10_000,
  );
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test('the breaker opens after consecutive failures, for its cooldown, and closes on success', () => {
  const b = new CircuitBreaker(3, 1000);
  b.record(false, 0);
  b.record(false, 1);
  assert.equal(b.openUntil(2), 0);
  b.record(false, 2);
  assert.equal(b.openUntil(3), 1002);
  assert.equal(b.openUntil(1002), 0, 'closed again after the cooldown, for a trial');
  b.record(true, 1003);
  b.record(false, 1004);
  assert.equal(b.openUntil(1005), 0, 'a success resets the count');
});

test('the rate limiter paces sends to its rate', async () => {
  const limiter = new RateLimiter(50);
  const started = performance.now();
  for (let i = 0; i < 60; i++) await limiter.take();
  const seconds = (performance.now() - started) / 1000;
  // A burst of 50 is allowed at once; the other 10 take a fifth of a second.
  assert.ok(seconds >= 0.15 && seconds < 1, `${seconds} s`);
});
