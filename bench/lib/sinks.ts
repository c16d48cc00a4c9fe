/**
 * The benchmarks' receivers, run as a child process so their work does not
 * share an event loop with the sender being measured: an SMTP server
 * (npm smtp-server) and an HTTP server answering 200, each counting what it
 * received. `node bench/lib/sinks.ts smtp|http` prints `ready <port>`; the
 * parent asks for the count over IPC.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

const kind = process.argv[2];
let count = 0;

process.on('message', (m) => {
  if (m === 'count') process.send?.(count);
  if (m === 'reset') {
    count = 0;
    process.send?.(0);
  }
});

if (kind === 'smtp') {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => {});
      stream.on('end', () => {
        count += 1;
        callback();
      });
    },
  });
  // A client killed mid-session resets its connection; that is the test, not a failure of the server.
  server.on('error', () => {});
  server.listen(0, '127.0.0.1', () => {
    process.send?.(`ready ${(server.server.address() as AddressInfo).port}`);
  });
} else {
  const server = http.createServer((req, res) => {
    req.on('data', () => {});
    req.on('end', () => {
      count += 1;
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.send?.(`ready ${(server.address() as AddressInfo).port}`);
  });
}
