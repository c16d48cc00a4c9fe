/**
 * The S3 export, against a local HTTP server standing in for the bucket.
 * The signer is checked against AWS's documented Signature Version 4
 * example (GET /test.txt from examplebucket), then the stand-in checks each
 * PUT the way S3 does: path, headers, payload hash and signature.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import { Exporter, s3Target } from '../../src/statuspage/export.ts';
import { signV4 } from '../../src/statuspage/s3.ts';

const key = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const emptyHash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

test("the signer reproduces AWS's documented SigV4 example", () => {
  const headers = signV4({
    method: 'GET',
    url: new URL('https://examplebucket.s3.amazonaws.com/test.txt'),
    headers: { range: 'bytes=0-9' },
    payloadHash: emptyHash,
    region: 'us-east-1',
    service: 's3',
    ...key,
    now: new Date('2013-05-24T00:00:00Z'),
  });
  assert.equal(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  );
  assert.equal(headers['x-amz-date'], '20130524T000000Z');
});

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

test('the exporter PUTs changed files to the bucket, signed, and retries after a failure', async () => {
  const received: Received[] = [];
  let failNext = 1;
  const bucket = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503, { 'content-type': 'application/xml' });
        res.end('<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
        return;
      }
      received.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { etag: '"x"' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => bucket.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(bucket.address() as AddressInfo).port}/status-bucket/site`;
  const exporter = new Exporter(
    s3Target({ url: endpoint, region: 'eu-west-1', ...key }),
    pino({ level: 'silent' }),
  );
  try {
    const files = [
      { file: 'index.html', body: Buffer.from('<h1>ok</h1>'), type: 'text/html; charset=utf-8', tag: 'a' },
      {
        file: 'api/v2/summary.json',
        body: Buffer.from('{"status":{}}'),
        type: 'application/json; charset=utf-8',
        tag: 'b',
      },
    ];
    exporter.push(files);
    const deadline = Date.now() + 10_000;
    // The bucket records a PUT before it answers, so also wait for the exporter to hear back.
    while ((received.length < 2 || exporter.status.state !== 'ok') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(received.length, 2, 'retried after the 503');
    assert.equal(exporter.status.state, 'ok');
    assert.equal(exporter.status.failures, 0);

    const summary = received.find((r) => r.url === '/status-bucket/site/api/v2/summary.json');
    assert.ok(summary, received.map((r) => r.url).join(', '));
    assert.equal(summary.method, 'PUT');
    assert.equal(summary.body.toString(), '{"status":{}}');
    assert.equal(summary.headers['content-type'], 'application/json; charset=utf-8');
    assert.match(String(summary.headers['cache-control']), /max-age=/);
    assert.equal(
      summary.headers['x-amz-content-sha256'],
      createHash('sha256').update(summary.body).digest('hex'),
    );
    const amzDate = String(summary.headers['x-amz-date']);
    assert.match(amzDate, /^\d{8}T\d{6}Z$/);
    // Recompute the signature as S3 would, from what arrived.
    const expected = signV4({
      method: 'PUT',
      url: new URL(`http://${summary.headers.host}${summary.url}`),
      headers: {
        'content-type': String(summary.headers['content-type']),
        'cache-control': String(summary.headers['cache-control']),
      },
      payloadHash: String(summary.headers['x-amz-content-sha256']),
      region: 'eu-west-1',
      service: 's3',
      ...key,
      now: new Date(
        `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
      ),
    });
    assert.equal(summary.headers.authorization, expected.authorization);
    assert.match(
      String(summary.headers.authorization),
      /Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=cache-control;content-type;host;x-amz-content-sha256;x-amz-date, /,
    );

    // Unchanged files are not sent again; changed ones are.
    exporter.push([
      files[0] as (typeof files)[number],
      { ...(files[1] as (typeof files)[number]), body: Buffer.from('{}'), tag: 'c' },
    ]);
    while (received.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      received.slice(2).map((r) => r.url),
      ['/status-bucket/site/api/v2/summary.json'],
    );
  } finally {
    exporter.close();
    bucket.close();
  }
});
