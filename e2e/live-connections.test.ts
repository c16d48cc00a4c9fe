/**
 * Live connections cannot starve the server: a real `crier serve` with a
 * descriptor limit of 4096 holds thousands of /events streams from one
 * address (127.0.0.2) and more from another (127.0.0.3), answers the
 * surplus 503 with Retry-After, and still answers the page, /healthz and
 * the admin API from 127.0.0.1 throughout; more bare sockets from one
 * address than the process has descriptors do not starve it either. Slow
 * and idle connections are cut off.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Server, startServer, tempDir } from './helpers/process.ts';

const token = 'e2e-live-connections-admin-token';
const nofile = 4096;
let server: Server;
let port: number;

interface Stream {
  status: number;
  retryAfter: string | undefined;
  /** Resolves when the first `event: state` frame arrived (200 only). */
  firstState: Promise<void>;
  close(): void;
}

/** Opens /events from `localAddress`; resolves once the status line is in. */
function openStream(localAddress: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/events', localAddress, agent: false }, (res) => {
      let seen = '';
      let gotState: () => void = () => {};
      const firstState = new Promise<void>((r) => {
        gotState = r;
      });
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (seen.length < 4096) seen += chunk;
        if (seen.includes('event: state')) gotState();
      });
      res.on('error', () => {});
      resolve({
        status: res.statusCode ?? 0,
        retryAfter: res.headers['retry-after'],
        firstState,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
  });
}

/** Opens `n` streams, `batch` at a time (the listen backlog is finite). */
async function openMany(localAddress: string, n: number, batch = 200): Promise<Stream[]> {
  const all: Stream[] = [];
  for (let i = 0; i < n; i += batch) {
    const size = Math.min(batch, n - i);
    all.push(...(await Promise.all(Array.from({ length: size }, () => openStream(localAddress)))));
  }
  return all;
}

/** Every ordinary request a reader or an operator makes, from 127.0.0.1. */
async function stillAnswers(label: string): Promise<void> {
  const base = `http://127.0.0.1:${port}`;
  const checks: [string, RequestInit][] = [
    ['/', {}],
    ['/healthz', {}],
    ['/api/v2/status.json', {}],
    ['/api/v1/components', { headers: { authorization: `Bearer ${token}` } }],
  ];
  for (const [url, init] of checks) {
    const res = await fetch(base + url, { ...init, signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 200, `${label}: ${url} answered ${res.status}`);
    await res.arrayBuffer();
  }
}

const count = (streams: Stream[], status: number) => streams.filter((s) => s.status === status).length;

before(async () => {
  const dir = tempDir();
  server = await startServer(
    {
      CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
      CRIER_ADMIN_TOKEN: token,
      CRIER_DEMO: 'false',
      CRIER_LOG_LEVEL: 'info',
      // The total is left to the descriptor limit; one address may take most of it.
      CRIER_LIVE_MAX_PER_ADDRESS: '1500',
      CRIER_HTTP_MAX_CONNECTIONS_PER_ADDRESS: '2000',
    },
    ['serve'],
    'PORT',
    { nofile },
  );
  port = Number(new URL(server.url).port);
});

after(async () => {
  await server?.stop();
});

test('the caps come from the descriptor limit read at start', () => {
  const line = server
    .logs()
    .split('\n')
    .find((l) => l.includes('"connection caps"'));
  assert.ok(line, server.logs());
  const caps = JSON.parse(line);
  assert.equal(caps.descriptor_limit, nofile);
  assert.equal(caps.descriptor_limit_source, '/proc/self/limits');
  assert.equal(caps.live_streams_total, nofile / 2);
  assert.equal(caps.live_streams_per_address, 1500);
  assert.equal(caps.max_connections_per_address, 2000);
  assert.ok(caps.max_connections < nofile);
});

test('thousands of streams from one address get their cap and a 503; the page, health and API still answer', async () => {
  const total = nofile / 2;
  const fromTwo = await openMany('127.0.0.2', 2500);
  assert.equal(count(fromTwo, 200), 1500, 'one address holds at most its cap');
  assert.equal(count(fromTwo, 503), 1000, 'the surplus is told to come back later');
  assert.ok(fromTwo.filter((s) => s.status === 503).every((s) => s.retryAfter === '30'));
  await Promise.all(fromTwo.filter((s) => s.status === 200).map((s) => s.firstState));
  await stillAnswers('with 1500 streams held from 127.0.0.2');

  const fromThree = await openMany('127.0.0.3', 700);
  assert.equal(count(fromThree, 200), total - 1500, 'another address gets what is left of the total');
  assert.equal(count(fromThree, 503), 700 - (total - 1500));
  await stillAnswers('with every live stream taken');
  const one = await openStream('127.0.0.1');
  assert.equal(one.status, 503, 'the total holds for everyone');
  assert.equal(one.retryAfter, '30');
  one.close();

  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, new RegExp(`^crier_live_streams ${total}$`, 'm'));

  // Streams given back are streams others can take.
  for (const s of fromTwo) s.close();
  const deadline = Date.now() + 10_000;
  let again = await openStream('127.0.0.1');
  while (again.status !== 200 && Date.now() < deadline) {
    again.close();
    await new Promise((r) => setTimeout(r, 50));
    again = await openStream('127.0.0.1');
  }
  assert.equal(again.status, 200);
  await again.firstState;
  again.close();
  for (const s of fromThree) s.close();
});

test('more sockets from one address than the process has descriptors: the others are still answered', async () => {
  const flood: net.Socket[] = [];
  let closed = 0;
  let onClose: () => void = () => {};
  for (let i = 0; i < 5000; i += 500) {
    await Promise.all(
      Array.from(
        { length: 500 },
        () =>
          new Promise<void>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.4' });
            s.on('connect', () => resolve());
            s.on('error', () => resolve());
            s.on('close', () => {
              closed++;
              onClose();
            });
            flood.push(s);
          }),
      ),
    );
  }
  try {
    // The server closes what is over the address's cap as it arrives; wait until it has.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${closed} of 5000 closed`)), 8_000);
      onClose = () => {
        if (closed >= 3000) {
          clearTimeout(timer);
          resolve();
        }
      };
      onClose();
    });
    assert.equal(flood.length - closed, 2000, 'the address holds its 2000 sockets and no more');
    await stillAnswers('with 2000 bare sockets held from 127.0.0.4');
  } finally {
    for (const s of flood) s.destroy();
  }
});

/** Resolves with how long the server took to close a socket. */
function closedWithin(socket: net.Socket, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on('error', () => {});
    // Read what the server says (a 408, an answer), or the close is never seen.
    socket.resume();
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

test('a client that sends its headers too slowly, or nothing, or idles after an answer is cut off', async () => {
  const connect = () =>
    new Promise<net.Socket>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' }, () => resolve(s));
    });
  // Slowloris: a header line every second, never the blank line that ends them.
  const slow = await connect();
  slow.write('GET / HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => slow.writable && slow.write('X-Slow: 1\r\n'), 1_000);
  const silent = await connect();
  const idle = await connect();
  idle.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  try {
    const [slowMs, silentMs, idleMs] = await Promise.all([
      closedWithin(slow, 20_000),
      closedWithin(silent, 20_000),
      closedWithin(idle, 15_000),
    ]);
    assert.ok(slowMs >= 9_000, `headers get 10 s (closed after ${slowMs} ms)`);
    assert.ok(silentMs >= 9_000, `a silent connection gets the same 10 s (closed after ${silentMs} ms)`);
    assert.ok(idleMs >= 4_000, `an idle keep-alive connection gets 5 s (closed after ${idleMs} ms)`);
  } finally {
    clearInterval(drip);
    slow.destroy();
    silent.destroy();
    idle.destroy();
  }
});
