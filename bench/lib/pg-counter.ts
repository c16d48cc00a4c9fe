/**
 * Counting proxies in front of PostgreSQL, one per process being measured,
 * run as their own process: `node bench/lib/pg-counter.ts <host> <port> <n>`
 * prints `ready <control-port> <port-1> … <port-n>`. Each proxy passes bytes
 * through untouched and reads the messages its client sends (the frontend
 * protocol: a type byte and a length, after the untyped startup message):
 * a round trip is a `Sync` (`S`, which ends an extended-protocol query) or a
 * simple `Query` (`Q`); a statement is an `Execute` (`E`) or a `Query`.
 * `GET /` on the control port answers `[{ roundTrips, statements }]` in the
 * proxies' order; `POST /` clears the counts.
 */
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

const [host = '127.0.0.1', port = '5432', n = '1'] = process.argv.slice(2);

interface Counts {
  roundTrips: number;
  statements: number;
}

/** A parser of one connection's client-to-server stream, calling `onType` with each message's type. */
function messages(onType: (type: number) => void): (chunk: Buffer) => void {
  let started = false;
  let header: Buffer = Buffer.alloc(0);
  let skip = 0;
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (skip > 0) {
        const step = Math.min(skip, chunk.length - i);
        skip -= step;
        i += step;
        continue;
      }
      const headerLength = started ? 5 : 4;
      const take = Math.min(headerLength - header.length, chunk.length - i);
      header = Buffer.concat([header, chunk.subarray(i, i + take)]);
      i += take;
      if (header.length < headerLength) break;
      if (started) {
        onType(header[0] ?? 0);
        skip = header.readInt32BE(1) - 4;
      } else {
        // The startup message (or an SSL request before it) has no type byte.
        if (header.readInt32BE(0) !== 8) started = true;
        skip = header.readInt32BE(0) - 4;
      }
      header = Buffer.alloc(0);
    }
  };
}

const S = 'S'.charCodeAt(0);
const Q = 'Q'.charCodeAt(0);
const E = 'E'.charCodeAt(0);

function proxy(counts: Counts): Promise<number> {
  const server = net.createServer((client) => {
    const upstream = net.connect({ host, port: Number(port) });
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const read = messages((type) => {
      if (type === S || type === Q) counts.roundTrips++;
      if (type === E || type === Q) counts.statements++;
    });
    client.on('data', (chunk: Buffer) => {
      read(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
}

const counts: Counts[] = Array.from({ length: Number(n) }, () => ({ roundTrips: 0, statements: 0 }));
const ports = await Promise.all(counts.map(proxy));
const control = http.createServer((req, res) => {
  if (req.method === 'POST')
    for (const c of counts) {
      c.roundTrips = 0;
      c.statements = 0;
    }
  res.end(JSON.stringify(counts));
});
control.listen(0, '127.0.0.1', () => {
  process.stdout.write(`ready ${(control.address() as AddressInfo).port} ${ports.join(' ')}\n`);
});
