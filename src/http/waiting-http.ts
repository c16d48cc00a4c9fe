/**
 * What `crier serve` answers while it waits for the database at start
 * (src/store/wait.ts): `/healthz` says the process is alive, `/readyz`
 * says why it is not ready, and everything else is a 503 with
 * Retry-After. The full server takes over the same port once the
 * database answers (both listen with SO_REUSEPORT for that moment, so no
 * connection is refused in between).
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DATABASE_RETRY_AFTER_S } from './errors.ts';
import { HTTP_TIMEOUTS } from './timeouts.ts';

/** The port a server listening on TCP took (a pipe's address would be a string). */
function portOf(address: AddressInfo | string | null): number {
  if (address === null || typeof address === 'string')
    throw new Error('the server is not listening on a TCP port');
  return address.port;
}

export interface WaitingHttp {
  /** The port it listens on (the one asked for, or the one given for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

export async function serveWhileWaiting(options: {
  host: string;
  port: number;
  /** Why the database is not there yet, as the last attempt found (`unreachable: ...`). */
  reason: () => string;
}): Promise<WaitingHttp> {
  const server = http.createServer(HTTP_TIMEOUTS, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    let status = 503;
    let body: unknown;
    if (path === '/healthz') {
      status = 200;
      body = { status: 'ok' };
    } else if (path === '/readyz') {
      body = { status: 'not_ready', checks: { database: options.reason() } };
    } else {
      body = {
        error: {
          code: 'database_unavailable',
          message: 'Crier is starting and waits for its database. Try again shortly.',
          request_id: randomUUID(),
        },
      };
    }
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      ...(status === 503 && { 'retry-after': String(DATABASE_RETRY_AFTER_S) }),
    });
    res.end(req.method === 'HEAD' ? undefined : text);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host: options.host, reusePort: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: portOf(server.address()),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
