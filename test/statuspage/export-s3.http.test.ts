/**
 * The S3 export through the AWS SDK, against a local HTTP server standing
 * in for the bucket: each PUT is checked the way S3 documents PutObject
 * (path-style bucket and key, body, content type, cache control, payload
 * hash, SigV4 with the configured key), a 503 is retried, unchanged files
 * are not sent again; and without keys, the environment's credentials sign.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import pino from 'pino';
import { Exporter, type ExportFile, s3Target } from '../../src/statuspage/export.ts';
import { type Answer, type Received, startReceiver, waitFor } from '../helpers/receiver.ts';

const files: ExportFile[] = [
  { file: 'index.html', body: Buffer.from('<h1>ok</h1>'), type: 'text/html; charset=utf-8', tag: 'a' },
  {
    file: 'api/v2/summary.json',
    body: Buffer.from('{"status":{}}'),
    type: 'application/json; charset=utf-8',
    tag: 'b',
  },
];

function assertPutObject(r: Received, path: string, body: string, type: string, key: string): void {
  assert.equal(r.method, 'PUT');
  assert.equal(r.url.split('?')[0], path);
  assert.equal(r.body, body);
  assert.equal(r.headers['content-type'], type);
  assert.match(String(r.headers['cache-control']), /max-age=/);
  // The payload is signed: its SHA-256 is the header S3 checks the body against.
  assert.equal(r.headers['x-amz-content-sha256'], createHash('sha256').update(body).digest('hex'));
  assert.match(
    String(r.headers.authorization),
    new RegExp(
      `^AWS4-HMAC-SHA256 Credential=${key}/\\d{8}/eu-west-1/s3/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$`,
    ),
  );
  assert.match(String(r.headers['x-amz-date']), /^\d{8}T\d{6}Z$/);
}

test('the exporter PUTs changed files to the bucket with the configured keys, and retries after a failure', async () => {
  let failNext = 1;
  const bucket = await startReceiver((): Answer => {
    if (failNext-- > 0) {
      return {
        status: 503,
        headers: { 'content-type': 'application/xml' },
        body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      };
    }
    return { status: 200, headers: { etag: '"x"' } };
  });
  const exporter = new Exporter(
    s3Target({
      url: `${bucket.url}/status-bucket/site`,
      region: 'eu-west-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    }),
    pino({ level: 'silent' }),
  );
  try {
    exporter.push(files);
    // The bucket records a PUT before it answers, so also wait for the exporter to hear back.
    await waitFor(
      () => bucket.requests.length >= 3 && exporter.status.state === 'ok',
      10_000,
      'the export to land after one 503',
    );
    assert.equal(bucket.requests.length, 3, 'one refused PUT, then both files');
    assert.equal(exporter.status.failures, 0);
    const landed = bucket.requests.slice(1);
    const summary = landed.find((r) => r.url.startsWith('/status-bucket/site/api/v2/summary.json'));
    assert.ok(summary, landed.map((r) => r.url).join(', '));
    assertPutObject(
      summary,
      '/status-bucket/site/api/v2/summary.json',
      '{"status":{}}',
      'application/json; charset=utf-8',
      'AKIAIOSFODNN7EXAMPLE',
    );

    // Unchanged files are not sent again; changed ones are.
    const changed = { ...(files[1] as ExportFile), body: Buffer.from('{}'), tag: 'c' };
    exporter.push([files[0] as ExportFile, changed]);
    // `ok` again once the whole round is sent: whatever it sent is in the bucket's list.
    await waitFor(() => bucket.requests.length >= 4 && exporter.status.state === 'ok', 10_000, 'the change');
    assert.deepEqual(
      bucket.requests.slice(3).map((r) => r.url.split('?')[0]),
      ['/status-bucket/site/api/v2/summary.json'],
    );
  } finally {
    exporter.close();
    await bucket.close();
  }
});

test('without keys in the configuration, the export signs with the credentials the environment gives', async () => {
  const saved = { ...process.env };
  process.env.AWS_ACCESS_KEY_ID = 'AKIAFROMENVIRONMENT';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-the-environment';
  const bucket = await startReceiver(() => ({ status: 200, headers: { etag: '"x"' } }));
  const exporter = new Exporter(
    s3Target({ url: `${bucket.url}/status-bucket`, region: 'eu-west-1' }),
    pino({ level: 'silent' }),
  );
  try {
    exporter.push([files[0] as ExportFile]);
    await waitFor(() => exporter.status.state !== 'pending', 10_000, 'the export');
    assert.equal(exporter.status.state, 'ok', String(exporter.status.lastError));
    const put = bucket.requests[0];
    assert.ok(put);
    assertPutObject(
      put,
      '/status-bucket/index.html',
      '<h1>ok</h1>',
      'text/html; charset=utf-8',
      'AKIAFROMENVIRONMENT',
    );
  } finally {
    exporter.close();
    await bucket.close();
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
});
