/**
 * Scheduled backups on both databases: one process of several takes each
 * period's backup, into a folder and into a bucket (a local stand-in for
 * S3 checked against PutObject, ListObjectsV2 and DeleteObject), only the
 * newest CRIER_BACKUP_KEEP stay, and the newest restores into an empty
 * database with what it held.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { backupTargets, runScheduledBackup } from '../../src/services/backups/scheduled.ts';
import { createComponent } from '../../src/services/components/create.ts';
import { restoreBackup } from '../../src/store/backup.ts';
import { type Db, migrate, openDatabase } from '../../src/store/db.ts';
import { dialects, openTestDb, TestClock, testConfig, testCtx } from '../helpers/db.ts';

/** An S3 bucket on 127.0.0.1: PUT, GET ?list-type=2 and DELETE of objects, path-style. */
async function startBucket() {
  const objects = new Map<string, Buffer>();
  const asked: { method: string; url: string; authorization: string; amzDate: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://bucket');
      asked.push({
        method: req.method ?? '',
        url: url.pathname + url.search,
        authorization: String(req.headers.authorization),
        amzDate: String(req.headers['x-amz-date']),
      });
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=AKIDBACKUP/')) {
        res.writeHead(403, { 'content-type': 'application/xml' });
        return res.end('<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>');
      }
      if (req.method === 'PUT') {
        objects.set(url.pathname, Buffer.concat(chunks));
        res.writeHead(200, { etag: '"e"' });
        return res.end();
      }
      if (req.method === 'DELETE') {
        objects.delete(url.pathname);
        res.writeHead(204);
        return res.end();
      }
      if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
        const bucket = url.pathname.replace(/^\/|\/$/g, '');
        const prefix = url.searchParams.get('prefix') ?? '';
        const keys = [...objects.keys()]
          .map((k) => k.slice(bucket.length + 2))
          .filter((k) => k.startsWith(prefix))
          .sort();
        res.writeHead(200, { 'content-type': 'application/xml' });
        return res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${keys.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${keys
            .map(
              (k) =>
                `<Contents><Key>${k}</Key><LastModified>2026-12-04T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>`,
            )
            .join('')}</ListBucketResult>`,
        );
      }
      res.writeHead(400);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    objects,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A database backups can be taken of: a SQLite file (an in-memory one has nothing to copy), or a PostgreSQL schema. */
async function backedUpDb(
  name: 'sqlite' | 'postgres',
  dir: string,
): Promise<{ db: Db; url: string; close(): Promise<void> }> {
  if (name === 'sqlite') {
    const url = `sqlite:${join(dir, 'crier.db')}`;
    const db = openDatabase(url);
    await migrate(db);
    return { db, url, close: () => db.destroy() };
  }
  const dialect = dialects.find((d) => d.name === 'postgres');
  if (!dialect) throw new Error('no PostgreSQL configured');
  const t = await openTestDb(dialect);
  return { db: t.db, url: t.url, close: () => t.close() };
}

for (const dialect of dialects) {
  test(`scheduled backups: one per period, to a folder and a bucket, the newest kept, restorable [${dialect.name}]`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crier-scheduled-'));
    const bucket = await startBucket();
    const t = await backedUpDb(dialect.name, dir);
    const clock = new TestClock('2026-12-04T10:00:00.000Z');
    const config = testConfig({
      CRIER_DATABASE_URL: t.url,
      CRIER_BACKUP_DIR: join(dir, 'backups'),
      CRIER_BACKUP_S3_URL: `${bucket.url}/crier-backups/nightly`,
      CRIER_BACKUP_S3_REGION: 'eu-west-1',
      CRIER_BACKUP_S3_ACCESS_KEY_ID: 'AKIDBACKUP',
      CRIER_BACKUP_S3_SECRET_ACCESS_KEY: 'backup-secret-key-0123456789',
      CRIER_BACKUP_EVERY_HOURS: '6',
      CRIER_BACKUP_KEEP: '2',
    });
    const ctx = testCtx(t.db, { clock, config });
    const targets = backupTargets(ctx);
    try {
      assert.equal(targets.length, 2);
      await createComponent(ctx, { name: 'API' });
      // Two workers ask at once: one takes the backup.
      const [a, b] = await Promise.all([
        runScheduledBackup(ctx, targets),
        runScheduledBackup({ ...ctx }, targets),
      ]);
      assert.equal([a, b].filter(Boolean).length, 1, 'one backup for the period, whichever worker took it');
      assert.equal(await runScheduledBackup(ctx, targets), undefined, 'not due again before the period ends');

      clock.advance(6 * 3_600_000);
      await createComponent(ctx, { name: 'Dashboard' });
      const second = await runScheduledBackup(ctx, targets);
      assert.equal(second?.name, 'crier-20261204T160000Z.backup.gz');
      assert.deepEqual(second?.removed, []);
      clock.advance(6 * 3_600_000);
      const third = await runScheduledBackup(ctx, targets);
      assert.deepEqual(
        third?.removed,
        ['crier-20261204T100000Z.backup.gz', 'crier-20261204T100000Z.backup.gz'],
        'the oldest, from the folder and the bucket',
      );

      assert.deepEqual(await readdir(join(dir, 'backups')), [
        'crier-20261204T160000Z.backup.gz',
        'crier-20261204T220000Z.backup.gz',
      ]);
      assert.deepEqual([...bucket.objects.keys()].sort(), [
        '/crier-backups/nightly/crier-20261204T160000Z.backup.gz',
        '/crier-backups/nightly/crier-20261204T220000Z.backup.gz',
      ]);
      const put = bucket.asked.find((r) => r.method === 'PUT');
      // The SDK signs with the real clock, not the test's: the scope's day is the X-Amz-Date's.
      const day = put?.amzDate.slice(0, 8) ?? '';
      assert.match(day, /^\d{8}$/);
      assert.ok(
        put?.authorization.startsWith(
          `AWS4-HMAC-SHA256 Credential=AKIDBACKUP/${day}/eu-west-1/s3/aws4_request,`,
        ),
        put?.authorization,
      );
      assert.ok(
        bucket.asked.some(
          (r) => r.method === 'GET' && r.url.includes('list-type=2') && r.url.includes('prefix=nightly%2F'),
        ),
      );
      const header = JSON.parse(
        gunzipSync(
          bucket.objects.get('/crier-backups/nightly/crier-20261204T220000Z.backup.gz') ?? Buffer.alloc(0),
        )
          .toString('utf8')
          .split('\n')[0] ?? '{}',
      );
      assert.equal(header.format, 'crier-backup');

      const empty = openDatabase('sqlite::memory:');
      try {
        await restoreBackup(
          empty,
          createReadStream(join(dir, 'backups', 'crier-20261204T160000Z.backup.gz')),
        );
        const names = (await empty.selectFrom('components').select('name').orderBy('name').execute()).map(
          (c) => c.name,
        );
        assert.deepEqual(names, ['API', 'Dashboard']);
      } finally {
        await empty.destroy();
      }
    } finally {
      for (const target of targets) target.close();
      await t.close();
      await bucket.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('a bucket that refuses the key fails the backup, and it is tried again within ten minutes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crier-scheduled-'));
  const bucket = await startBucket();
  const t = await backedUpDb('sqlite', dir);
  const clock = new TestClock('2026-12-04T10:00:00.000Z');
  const config = testConfig({
    CRIER_DATABASE_URL: t.url,
    CRIER_BACKUP_S3_URL: `${bucket.url}/crier-backups`,
    CRIER_BACKUP_S3_ACCESS_KEY_ID: 'AKIDWRONG',
    CRIER_BACKUP_S3_SECRET_ACCESS_KEY: 'backup-secret-key-0123456789',
  });
  const ctx = testCtx(t.db, { clock, config });
  const targets = backupTargets(ctx);
  try {
    await assert.rejects(runScheduledBackup(ctx, targets), /Access Denied|AccessDenied/);
    clock.advance(9 * 60_000);
    assert.equal(
      await runScheduledBackup(ctx, targets).catch(() => 'tried'),
      undefined,
      'not before ten minutes',
    );
    clock.advance(60_000);
    await assert.rejects(
      runScheduledBackup(ctx, targets),
      /Access Denied|AccessDenied/,
      'tried again, not a day later',
    );
  } finally {
    for (const target of targets) target.close();
    await t.close();
    await bucket.close();
    await rm(dir, { recursive: true, force: true });
  }
});
