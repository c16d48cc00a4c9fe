/**
 * A process's own timers: a run is never started while one is in progress,
 * a failure is logged and the next turn runs, and stopping waits for the run
 * in progress (so a shutdown never closes the database under it) and starts
 * no other.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { periodic } from '../../src/services/periodic.ts';

function capturedLog() {
  const lines: { msg: string; err?: { message: string } }[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino(stream), lines };
}

test('a turn that comes while a run is in progress starts nothing; stop waits for the run', async () => {
  const { log } = capturedLog();
  let started = 0;
  let finished = 0;
  let release: () => void = () => {};
  const duty = periodic(
    log,
    'duty failed',
    async () => {
      started++;
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      finished++;
    },
    { everyMs: 5, firstMs: 0 },
  );
  await sleep(40);
  assert.equal(started, 1, 'eight turns came; the first run still holds');
  const stopped = duty.stop().then(() => 'stopped');
  assert.equal(await Promise.race([stopped, sleep(30).then(() => 'waiting')]), 'waiting');
  release();
  assert.equal(await stopped, 'stopped');
  assert.equal(finished, 1);
  await sleep(30);
  assert.equal(started, 1, 'nothing runs after stop');
});

test('a failed run is logged and the next turn runs again', async () => {
  const { log, lines } = capturedLog();
  let runs = 0;
  const duty = periodic(
    log,
    'retention failed; it runs again within the hour',
    async () => {
      runs++;
      if (runs === 1) throw new Error('database is locked');
    },
    { everyMs: 10, firstMs: 0 },
  );
  while (runs < 2) await sleep(5);
  await duty.stop();
  assert.equal(lines[0]?.msg, 'retention failed; it runs again within the hour');
  assert.equal(lines[0]?.err?.message, 'database is locked');
  assert.equal(lines.length, 1);
});

test('without firstMs the first run waits a whole period', async () => {
  const { log } = capturedLog();
  let runs = 0;
  const duty = periodic(
    log,
    'x',
    async () => {
      runs++;
    },
    { everyMs: 60_000, unref: true },
  );
  await sleep(20);
  assert.equal(runs, 0);
  await duty.stop();
});
