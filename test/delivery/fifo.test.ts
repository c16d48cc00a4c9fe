import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Fifo } from '../../src/delivery/fifo.ts';

test('a fifo gives back what it was given, in order, across its compactions', () => {
  const q = new Fifo<number>();
  assert.equal(q.shift(), undefined);
  const taken: number[] = [];
  let next = 0;
  // Fill a thousand at a time and take fewer than that each round, so the queue grows, compacts
  // and empties, as a lane's does under a fan-out.
  for (let round = 0; round < 20; round++) {
    q.pushAll(Array.from({ length: 1000 }, () => next++));
    for (let i = 0; i < (round % 3 === 0 ? 1500 : 700); i++) {
      const x = q.shift();
      if (x !== undefined) taken.push(x);
    }
    assert.equal(q.length, next - taken.length);
  }
  const rest = q.drain();
  assert.equal(q.length, 0);
  assert.equal(q.shift(), undefined);
  assert.deepEqual(
    [...taken, ...rest],
    Array.from({ length: next }, (_, i) => i),
  );
});

test('a fifo emptied by its takes starts afresh when refilled', () => {
  const q = new Fifo<string>();
  q.pushAll(['a', 'b']);
  assert.equal(q.shift(), 'a');
  assert.equal(q.shift(), 'b');
  assert.equal(q.length, 0);
  q.pushAll(['c']);
  assert.deepEqual(q.drain(), ['c']);
});
