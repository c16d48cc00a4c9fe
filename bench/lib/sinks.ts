/**
 * The benchmarks' receivers, run as their own process so their work does not
 * share an event loop with the sender being measured: an SMTP server
 * (npm smtp-server) or an HTTP server answering 200, counting what it
 * received. `node bench/lib/sinks.ts smtp|http` prints
 * `ready <port> <control-port>`; on the control port, `GET /` reads the
 * count of distinct recipients, `GET /?until=N` answers once it reaches N
 * (one request for the whole wait, so the sender being measured does not
 * pay for polling), `GET /stats` gives the figures below as JSON, and
 * `POST /` clears everything.
 *
 * A recipient is the SMTP envelope's first address or the HTTP request's
 * path; a second message to one recipient is counted as a duplicate. Each
 * first arrival's time (milliseconds since the epoch, sub-millisecond
 * precision) is kept, so `stats` can say when 50 %, 95 % and 100 % of N
 * were reached; `byPort` counts messages by the sender's local port, which
 * tells processes apart (the benchmark maps ports to processes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const kind = process.argv[2];
let seen = new Set<string>();
let total = 0;
let arrivals: number[] = [];
let byPort = new Map<number, number>();
const waiters: { n: number; answer: () => void }[] = [];
const now = () => performance.timeOrigin + performance.now();

function received(recipient: string, port: number | undefined): void {
  total += 1;
  byPort.set(port ?? 0, (byPort.get(port ?? 0) ?? 0) + 1);
  if (seen.has(recipient)) return;
  seen.add(recipient);
  arrivals.push(now());
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    if (w && seen.size >= w.n) {
      waiters.splice(i, 1);
      w.answer();
    }
  }
}

/** When the `share` of `n` recipients had their first message, or null if not yet. */
const reached = (share: number, n: number) => arrivals[Math.max(1, Math.ceil(share * n)) - 1] ?? null;

function stats(n: number): string {
  return JSON.stringify({
    unique: seen.size,
    total,
    duplicates: total - seen.size,
    first: arrivals[0] ?? null,
    at50: reached(0.5, n),
    at95: reached(0.95, n),
    at100: reached(1, n),
    byPort: Object.fromEntries(byPort),
  });
}

const control = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://sink');
  if (req.method === 'POST') {
    seen = new Set();
    total = 0;
    arrivals = [];
    byPort = new Map();
  }
  if (url.pathname === '/stats') {
    res.end(stats(Number(url.searchParams.get('n') ?? seen.size)));
    return;
  }
  const until = Number(url.searchParams.get('until') ?? 0);
  if (seen.size >= until) res.end(String(seen.size));
  else waiters.push({ n: until, answer: () => res.end(String(seen.size)) });
});

function ready(port: number): void {
  control.listen(0, '127.0.0.1', () => {
    process.stdout.write(`ready ${port} ${(control.address() as AddressInfo).port}\n`);
  });
}

if (kind === 'smtp') {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received(session.envelope.rcptTo[0]?.address ?? '', session.remotePort);
        callback();
      });
    },
  });
  // A client killed mid-session resets its connection; that is not a failure of the sink.
  server.on('error', () => {});
  server.listen(0, '127.0.0.1', () => ready((server.server.address() as AddressInfo).port));
} else {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      received(req.url ?? '/', req.socket.remotePort);
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
}
