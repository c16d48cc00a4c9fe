/**
 * The live stream's own limits, in process: a reader that stops reading is
 * dropped once its backlog passes SLOW_READER_BYTES, and gives its lease
 * back; the caps answer 503 with Retry-After.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { test } from 'node:test';
import { LiveLimiter } from '../../src/http/live-limit.ts';
import { LiveEvents, SLOW_READER_BYTES } from '../../src/http/public/events.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { updateComponent } from '../../src/services/components/update.ts';
import { testCtx } from '../helpers/db.ts';
import { startTestApp } from '../helpers/http.ts';

const sqlite = { name: 'sqlite' as const, url: 'sqlite::memory:' };

test('a reader that stops reading is dropped, and its stream given back; one that reads stays', async () => {
  const t = await startTestApp(sqlite);
  const limiter = new LiveLimiter({ perAddress: 1, total: 10 });
  const events = new LiveEvents(t.app.statusPage, limiter);
  const responses: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (events.attach(res, req.socket.remoteAddress ?? '')) responses.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const stalled = net.connect({ host: '127.0.0.1', port });
  let reader: http.ClientRequest | undefined;
  try {
    const ctx = testCtx(t.app.db);
    const component = await createComponent(ctx, { name: 'API' });
    await t.app.statusPage.refresh();

    stalled.on('error', () => {});
    stalled.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    stalled.pause();
    const states: string[] = [];
    reader = http.get({ host: '127.0.0.1', port, path: '/events', localAddress: '127.0.0.2' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        for (const m of chunk.matchAll(/^id: (.+)$/gm)) states.push(m[1] as string);
      });
    });
    reader.on('error', () => {});
    for (let i = 0; events.clients < 2 || states.length === 0; i++) {
      assert.ok(i < 500, 'both streams open');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(limiter.held, 2);
    const second = await fetch(`http://127.0.0.1:${port}/events`);
    assert.equal(second.status, 503, 'one stream per address here');
    assert.equal(second.headers.get('retry-after'), '30');
    assert.match(await second.text(), /Too many live connections from your address/);

    // The backlog earlier states would leave behind a reader that stopped reading
    // (the kernel takes the first few megabytes; what it cannot take waits in the process).
    const stalledRes = responses[0] as http.ServerResponse;
    const pad = `: ${'.'.repeat(1022)}\n`;
    // Written until the kernel's buffers are full and the backlog stays in the process.
    for (let i = 0; stalledRes.writableLength <= 2 * SLOW_READER_BYTES; i++) {
      assert.ok(i < 200, 'the backlog builds up');
      stalledRes.write(pad.repeat(1024));
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(events.clients, 2, 'nothing is dropped before the next state');

    await updateComponent(ctx, component.id, { description: 'changed' });
    await t.app.statusPage.refresh();
    for (let i = 0; events.clients > 1 || states.length < 2; i++) {
      assert.ok(i < 500, `clients ${events.clients}, states ${states.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(limiter.held, 1, 'the dropped stream gave its place back');
    assert.equal(limiter.heldBy('127.0.0.2'), 1, 'the reader is still there');
    assert.notEqual(states[1], states[0], 'and has the new state');
  } finally {
    reader?.destroy();
    stalled.destroy();
    events.close();
    await new Promise((r) => server.close(r));
    await t.close();
  }
});

test('the address a stream counts against follows CRIER_TRUST_PROXY, as the rate limits do', async () => {
  for (const trusted of [true, false]) {
    const t = await startTestApp(sqlite, {
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        CRIER_LIVE_MAX_PER_ADDRESS: '1',
        CRIER_TRUST_PROXY: trusted ? '127.0.0.1' : 'false',
      },
    });
    const streams: http.ClientRequest[] = [];
    try {
      const base = await t.app.listen();
      const open = (forwardedFor: string) =>
        new Promise<number>((resolve, reject) => {
          const req = http.get(`${base}/events`, { headers: { 'x-forwarded-for': forwardedFor } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          streams.push(req);
        });
      const answers = [await open('203.0.113.1'), await open('203.0.113.1'), await open('203.0.113.2')];
      // Behind the trusted proxy each client has its own stream; otherwise the header is the client's word only.
      assert.deepEqual(answers, trusted ? [200, 503, 200] : [200, 503, 503], `trusted: ${trusted}`);
    } finally {
      for (const req of streams) req.destroy();
      await t.close();
    }
  }
});
