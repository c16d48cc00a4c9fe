import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseRetryAfter } from '../../src/channels/types.ts';
import { CircuitBreaker, HostPacer, RateLimiter, retryDelay, targetHost } from '../../src/delivery/limits.ts';

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

test('sends to one host are paced: a second’s worth at once, then one per interval; hosts apart', () => {
  const pacer = new HostPacer(10);
  const t0 = 1_000_000;
  const turns = Array.from({ length: 25 }, (_, i) => pacer.book('hooks.example', `d${i}`, t0) - t0);
  assert.deepEqual(turns.slice(0, 10), Array(10).fill(0), 'the first ten go at once');
  assert.deepEqual(
    turns.slice(10).map((ms) => Math.round(ms)),
    Array.from({ length: 15 }, (_, i) => (i + 1) * 100),
    'then one every 100 ms',
  );
  assert.equal(pacer.book('other.example', 'x', t0), t0, 'another host is not held up');
  // Later, the host's budget has come back.
  assert.equal(pacer.book('hooks.example', 'later', t0 + 60_000), t0 + 60_000);
});

test('a delivery put back to wait keeps its turn instead of booking behind the others', () => {
  const pacer = new HostPacer(1);
  const now = 0;
  pacer.book('h', 'first', now);
  const turn = pacer.book('h', 'second', now);
  assert.equal(turn, 1000);
  pacer.keep('second', turn);
  for (let i = 0; i < 5; i++) pacer.book('h', `later${i}`, now);
  assert.equal(pacer.book('h', 'second', 1000), 1000, 'its own turn, not one after the five booked since');
});

test('the host of a target is its URL’s, or its push endpoint’s; email and SMS have none', () => {
  assert.equal(targetHost('webhook', 'https://Hooks.Example.com:8443/x'), 'hooks.example.com');
  assert.equal(targetHost('slack', 'https://hooks.slack.com/services/T/B/x'), 'hooks.slack.com');
  assert.equal(
    targetHost(
      'push',
      JSON.stringify({
        endpoint: 'https://fcm.googleapis.com/fcm/send/abc',
        keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA', auth: 'tBHItJI5svbpez7KI4CCXg' },
      }),
    ),
    'fcm.googleapis.com',
  );
  assert.equal(targetHost('email', 'a@example.com'), null);
  assert.equal(targetHost('sms', '+14155550100'), null);
});
