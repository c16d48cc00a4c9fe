/**
 * The benchmarks' receivers, run as their own process so their work does not
 * share an event loop with the sender being measured: an SMTP server
 * (npm smtp-server) or an HTTP server answering 200, counting what it
 * received. `node bench/lib/sinks.ts smtp|http` prints
 * `ready <port> <control-port>`; on the control port, `GET /` reads the
 * count, `GET /?until=N` answers once the count reaches N (one request for
 * the whole wait, so the sender being measured does not pay for polling),
 * and `POST /` clears it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const kind = process.argv[2];
let count = 0;
const waiters: { n: number; answer: () => void }[] = [];

function received(): void {
  count += 1;
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    if (w && count >= w.n) {
      waiters.splice(i, 1);
      w.answer();
    }
  }
}

const control = http.createServer((req, res) => {
  if (req.method === 'POST') count = 0;
  const until = Number(new URL(req.url ?? '/', 'http://sink').searchParams.get('until') ?? 0);
  if (count >= until) res.end(String(count));
  else waiters.push({ n: until, answer: () => res.end(String(count)) });
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
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        received();
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
      received();
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => ready((server.address() as AddressInfo).port));
}
