/**
 * A small run of each fan-out benchmark, so they keep working between the
 * full runs (which take minutes and stay out of CI): `npm run bench --
 * fanout` with a few hundred messages and one round, and `npm run bench --
 * scale-out` with 1,000 webhooks shared by one and then two `crier worker`
 * processes on PostgreSQL; `npm run bench -- nodes` with three changes made
 * through three `crier serve` nodes. They check that every figure is printed and that
 * no message was lost or sent twice; they never assert a speed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const root = path.join(import.meta.dirname, '..');

function bench(args: string[]): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, [path.join(root, 'bench/run.ts'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += String(d);
  });
  child.stderr.on('data', (d: Buffer) => {
    out += String(d);
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

/** The numbers after `label` on the lines that have it. */
const figures = (out: string, pattern: RegExp) => [...out.matchAll(pattern)].map((m) => Number(m[1]));

test('the fan-out benchmark prints ratio, peak RSS and time to reach, with nothing lost', async () => {
  const { code, out } = await bench(['fanout', '--emails', '100', '--webhooks', '100', '--rounds', '1']);
  assert.equal(code, 0, out);
  assert.match(out, /load average before: [\d.]+ [\d.]+ [\d.]+/);
  assert.match(
    out,
    /email ratio Crier\/raw: [\d.]+ \(time\), [\d.]+ \(CPU per message\); per round [\d.]+; median of rounds [\d.]+/,
  );
  assert.match(out, /webhook ratio Crier\/raw: [\d.]+ \(time\)/);
  for (const side of ['email raw', 'email Crier', 'webhook raw', 'webhook Crier'])
    assert.match(
      out,
      new RegExp(
        `^${side} .* msg/s .* peak RSS \\d+ MB  reach 50/95/100 % [\\d.]+/[\\d.]+/[\\d.]+ s  duplicates 0$`,
        'm',
      ),
    );
  // Reaching half comes no later than reaching everyone.
  for (const [, half, all] of out.matchAll(/reach 50\/95\/100 % ([\d.]+)\/[\d.]+\/([\d.]+) s/g))
    assert.ok(Number(half) <= Number(all), `${half} ≤ ${all}`);
});

test('the scale-out benchmark shares 1,000 webhooks between crier worker processes on PostgreSQL', {
  skip: process.env.CRIER_TEST_DATABASE_URL ? false : 'needs CRIER_TEST_DATABASE_URL',
}, async () => {
  const { code, out } = await bench(['scale-out', '--webhooks', '1000', '--workers', '1,2']);
  assert.equal(code, 0, out);
  assert.match(out, /^round 1: 1 worker /m);
  assert.match(out, /^round 1: 2 workers /m);
  assert.deepEqual(figures(out, /lost (\d+) {2}duplicates/g), [0, 0], out);
  // Without a crash, no second copies: a lease outlives each send by far.
  assert.deepEqual(figures(out, /duplicates (\d+) {2}unattributed/g), [0, 0], out);
  // Every message the receiver got was matched to the worker whose socket sent it.
  assert.deepEqual(figures(out, /unattributed (\d+)/g), [0, 0], out);
  // The declaration is announced as crier serve announces it; how soon the first webhook came.
  assert.equal(figures(out, /first webhook after (\d+) ms/g).length, 2, out);
  const sent = figures(out, /worker \d: sent (\d+) /g);
  assert.equal(sent.length, 3, out);
  assert.equal(sent[0], 1000);
  assert.equal((sent[1] ?? 0) + (sent[2] ?? 0), 1000);
  assert.match(
    out,
    /all workers: [\d.]+ round trips, [\d.]+ statements, CPU \d+ µs per delivery; PostgreSQL backends CPU \d+ µs per delivery/,
  );
  assert.match(out, /^2 worker\(s\): \d+ deliveries\/s, [\d.]+ × 1 worker\(s\)/m);
});

test('the nodes benchmark shows a change made through one crier serve on every node, on PostgreSQL', {
  skip: process.env.CRIER_TEST_DATABASE_URL ? false : 'needs CRIER_TEST_DATABASE_URL',
}, async () => {
  const { code, out } = await bench(['nodes', '--nodes', '3', '--changes', '3']);
  assert.equal(code, 0, out);
  assert.match(out, /load average before: [\d.]+ [\d.]+ [\d.]+/);
  // Each change counted once on the node that made it and twice on the others.
  assert.deepEqual(figures(out, /ms {2}\((\d+)\)$/gm), [3, 6, 3], out);
  assert.match(out, /ratio other\/own: [\d.]+ of p50s, [\d.]+ of p99s/);
});
