/**
 * Hostile CSV uploads of 200 MB, streamed by this test over a real socket to
 * a real `crier serve` (never held here whole): each gets a clear error,
 * the server's memory stays under 400 MB, and it answers other requests
 * while the upload is still arriving.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Server, startServer, tempDir } from './helpers/process.ts';

const adminToken = 'csv-bomb-admin-token-0123456789';
const total = 200 * 1024 * 1024;
let server: Server;

before(async () => {
  const dir = tempDir('crier-csv-bomb-');
  server = await startServer({
    CRIER_DATA_DIR: dir,
    CRIER_PLAN: path.join(dir, 'none.yaml'),
    CRIER_DEMO: 'false',
    CRIER_ADMIN_TOKEN: adminToken,
    // The old-space limit a small instance would run with. Without one, V8 on a starved machine
    // lets the parse's short-lived garbage grow the heap by 150 MB before it collects it.
    NODE_OPTIONS: '--max-old-space-size=160',
  });
});
after(async () => {
  await server.stop();
});

/** Kilobytes of the server process's memory: resident now, and at its peak. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

interface Upload {
  status: number;
  body: string;
  /** Requests to other routes answered while the upload was still being written. */
  answeredMeanwhile: number;
  sent: number;
}

/** Streams `head` and then `fill` repeated up to 200 MB, a chunk at a time, as the socket takes it. */
function upload(head: string, fill: Buffer): Promise<Upload> {
  const url = new URL('/api/v1/subscribers/import', server.url);
  return new Promise((resolve, reject) => {
    let answeredMeanwhile = 0;
    let sent = 0;
    let writing = true;
    let response: { status: number; body: string } | null = null;
    const finish = () => {
      if (response && !writing) resolve({ ...response, answeredMeanwhile, sent });
    };
    const req = http.request(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'text/csv' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => {
        response = { status: res.statusCode ?? 0, body };
        finish();
      });
    });
    // While the upload runs, the rest of the server keeps answering.
    const others = async () => {
      while (writing) {
        for (const [p, headers] of [
          ['/healthz', {}],
          ['/', {}],
          ['/api/v1/components', { authorization: `Bearer ${adminToken}` }],
        ] as const) {
          const res = await fetch(new URL(p, server.url), { headers, signal: AbortSignal.timeout(5_000) });
          assert.equal(res.status, 200, p);
          await res.arrayBuffer();
          if (writing && sent > 0) answeredMeanwhile += 1;
        }
      }
    };
    const meanwhile = others().catch(reject);
    const write = () => {
      if (sent === 0) {
        req.write(head);
        sent += head.length;
      }
      while (sent < total) {
        sent += fill.length;
        if (!req.write(fill)) return void req.once('drain', write);
      }
      req.end(() => {
        writing = false;
        void meanwhile.then(finish);
      });
    };
    write();
  });
}

test('a 200 MB unclosed quoted field gets 400 naming its line; the server stays small and answering', async () => {
  const pid = server.child.pid ?? 0;
  const before = memory(pid);
  const result = await upload('email\nfirst@example.com\n"', Buffer.alloc(64 * 1024, 'a'));
  assert.equal(result.status, 400, result.body);
  const error = JSON.parse(result.body).error as { code: string; details: { line: number } };
  assert.equal(error.code, 'csv_invalid');
  assert.equal(error.details.line, 3);
  assert.ok(result.sent >= total, 'the whole 200 MB went over the wire');
  assert.ok(result.answeredMeanwhile >= 3, `${result.answeredMeanwhile} other requests answered meanwhile`);
  const after = memory(pid);
  process.stdout.write(
    `# CSV bomb (unclosed quote): server RSS ${before.rss >> 10} MB before, peak ${after.peak >> 10} MB\n`,
  );
  assert.ok(after.peak < 400 * 1024, `peak RSS ${after.peak >> 10} MB`);
});

test('200 MB of well-formed rows gets 413 at CRIER_IMPORT_MAX_BYTES, naming the line; nothing imported', async () => {
  const pid = server.child.pid ?? 0;
  const row = 'someone.with.a.long.address@example.com\n';
  const result = await upload('email\n', Buffer.from(row.repeat(Math.floor((64 * 1024) / row.length))));
  assert.equal(result.status, 413, result.body);
  const error = JSON.parse(result.body).error as { code: string; details: { line: number } };
  assert.equal(error.code, 'payload_too_large');
  assert.ok(error.details.line > 1_000_000, `line ${error.details.line}`);
  assert.ok(result.answeredMeanwhile >= 3, `${result.answeredMeanwhile} other requests answered meanwhile`);
  const peak = memory(pid).peak;
  process.stdout.write(`# CSV bomb (too large): server peak RSS ${peak >> 10} MB\n`);
  assert.ok(peak < 400 * 1024, `peak RSS ${peak >> 10} MB`);
  const list = await fetch(new URL('/api/v1/subscribers', server.url), {
    headers: { authorization: `Bearer ${adminToken}` },
  });
  assert.deepEqual(await list.json(), []);
});
