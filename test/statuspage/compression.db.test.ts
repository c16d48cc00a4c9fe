/**
 * A change is served compressed fast at once; the best compression follows
 * when the page is quiet, for the same content, under its own ETags, and a
 * reader holding either ETag revalidates with 304. The page's own paths and
 * API are swapped in before the pages in other languages, which never go
 * missing meanwhile.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { createComponent } from '../../src/services/components/create.ts';
import { declareIncident } from '../../src/services/incidents/declare.ts';
import { StatusPage } from '../../src/statuspage/cache.ts';
import { pageSettings } from '../../src/statuspage/settings.ts';
import { eachDialect, silentLog, TestClock, testConfig, testCtx } from '../helpers/db.ts';

/** The page and the changes on one clock that stands still, so a render with nothing new renders the same bytes. */
const clock = new TestClock();

function pageOn(
  db: Parameters<typeof testCtx>[0],
  polishDelayMs: number,
  languagesMaxWaitMs?: number,
  debounceMs?: number,
): StatusPage {
  return new StatusPage({
    db,
    settings: pageSettings(testConfig()),
    clock,
    log: silentLog,
    polishDelayMs,
    ...(languagesMaxWaitMs !== undefined && { languagesMaxWaitMs }),
    ...(debounceMs !== undefined && { debounceMs }),
  });
}

async function served(page: StatusPage) {
  const server = http.createServer((req, res) => page.serveOrNotFound(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const get = (path: string, headers: Record<string, string>) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      http
        .get(`${base}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        })
        .on('error', reject);
    });
  return { get, close: () => new Promise<void>((r) => server.close(() => r())) };
}

eachDialect(
  test,
  'a change is compressed fast at once, then at the best ratio for the same content',
  async (db) => {
    const ctx = testCtx(db, { clock });
    const api = await createComponent(ctx, { name: 'API' });
    const page = pageOn(db, 3_600_000);
    const server = await served(page);
    try {
      await page.refresh();
      const name = 'Logins fail for some customers';
      await declareIncident(ctx, { name, body: 'Investigating.', components: { [api.id]: 'major_outage' } });
      await page.refresh();

      const plain = await server.get('/', {});
      assert.ok(plain.body.toString().includes(name), 'the change is on the page');
      const fast = await server.get('/', { 'accept-encoding': 'br' });
      assert.equal(fast.headers['content-encoding'], 'br');
      assert.match(
        String(fast.headers.etag),
        /^"[A-Za-z0-9_-]+-brf"$/,
        'compressed fast, and its ETag says so',
      );
      assert.deepEqual(zlib.brotliDecompressSync(fast.body), plain.body);
      const fastGz = await server.get('/', { 'accept-encoding': 'gzip' });
      assert.match(String(fastGz.headers.etag), /-gzf"$/);
      assert.deepEqual(zlib.gunzipSync(fastGz.body), plain.body);

      await page.polish();
      const best = await server.get('/', { 'accept-encoding': 'br' });
      assert.match(String(best.headers.etag), /^"[A-Za-z0-9_-]+-br"$/);
      assert.notEqual(best.headers.etag, fast.headers.etag, 'other bytes, another strong ETag');
      assert.deepEqual(zlib.brotliDecompressSync(best.body), plain.body, 'the same content');
      assert.ok(best.body.length <= fast.body.length, `${best.body.length} ≤ ${fast.body.length} bytes`);
      const bestGz = await server.get('/', { 'accept-encoding': 'gzip' });
      assert.match(String(bestGz.headers.etag), /-gz"$/);
      assert.deepEqual(zlib.gunzipSync(bestGz.body), plain.body);
      const identity = await server.get('/', {});
      assert.equal(identity.headers.etag, plain.headers.etag, 'the uncompressed bytes keep their ETag');

      for (const etag of [fast.headers.etag, fastGz.headers.etag, best.headers.etag, plain.headers.etag]) {
        const again = await server.get('/', { 'accept-encoding': 'br', 'if-none-match': String(etag) });
        assert.equal(again.status, 304, `${etag} still names the page`);
        assert.equal(again.headers.etag, best.headers.etag);
      }

      const before = page.entry('/');
      await page.refresh();
      assert.equal(page.entry('/'), before, 'a render with nothing new keeps the polished entry');

      await declareIncident(ctx, { name: 'Slow search', body: 'Looking.', components: {} });
      await page.refresh();
      const changed = await server.get('/', {
        'accept-encoding': 'br',
        'if-none-match': String(best.headers.etag),
      });
      assert.equal(changed.status, 200, 'an old ETag no longer matches after a change');
      assert.match(String(changed.headers.etag), /-brf"$/);
    } finally {
      page.close();
      await server.close();
    }
  },
);

eachDialect(test, 'polishing gives way to a refresh and resumes after it', async (db) => {
  const ctx = testCtx(db, { clock });
  await createComponent(ctx, { name: 'API' });
  const page = pageOn(db, 3_600_000);
  try {
    await page.refresh();
    assert.equal(page.entry('/')?.polished, false);
    page.requestRefresh();
    await page.polish();
    assert.equal(page.entry('/')?.polished, false, 'a refresh is due: nothing is compressed again before it');
    await page.refresh();
    await page.polish();
    for (const path of ['/', '/history', '/api/v2/summary.json', '/fr', '/assets/status.css']) {
      assert.equal(page.entry(path)?.polished, true, path);
    }
  } finally {
    page.close();
  }
});

eachDialect(test, 'the best compression follows by itself once the page is quiet', async (db) => {
  await createComponent(testCtx(db, { clock }), { name: 'API' });
  const page = pageOn(db, 10);
  try {
    await page.refresh();
    for (let i = 0; i < 1000 && !page.entry('/api/v2/summary.json')?.polished; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(page.entry('/api/v2/summary.json')?.polished, true);
  } finally {
    page.close();
  }
});

eachDialect(
  test,
  'a render serves the page and its API first, and no page in another language goes missing meanwhile',
  async (db) => {
    const ctx = testCtx(db, { clock });
    const api = await createComponent(ctx, { name: 'API' });
    const page = pageOn(db, 3_600_000);
    const server = await served(page);
    try {
      await page.refresh();
      const name = 'Checkout times out';
      await declareIncident(ctx, { name, body: 'Investigating.', components: { [api.id]: 'major_outage' } });
      let done = false;
      const rendered = page.refresh().then(() => {
        done = true;
      });
      const firstSeen: Record<string, number> = {};
      for (let i = 0; !done; i++) {
        // The other languages are read before the page's own paths: once one shows the change, so must they.
        for (const path of ['/fr', '/ja/history', '/api/v2/summary.json', '/']) {
          const res = await server.get(path, {});
          assert.equal(res.status, 200, `${path} answers throughout the render`);
          if (firstSeen[path] === undefined && res.body.toString().includes(name)) firstSeen[path] = i;
        }
      }
      await rendered;
      for (const path of ['/fr', '/ja/history']) {
        assert.ok(
          (await server.get(path, {})).body.toString().includes(name),
          `${path} shows it once rendered`,
        );
        const own = firstSeen['/'] ?? Number.POSITIVE_INFINITY;
        assert.ok(own <= (firstSeen[path] ?? Number.POSITIVE_INFINITY), `/ shows it no later than ${path}`);
      }
    } finally {
      page.close();
      await server.close();
    }
  },
);

eachDialect(
  test,
  'a change waiting for a render goes before the pages in other languages, which follow',
  async (db) => {
    const ctx = testCtx(db, { clock });
    await createComponent(ctx, { name: 'API' });
    // A refresh asked for waits an hour before it begins, unless one is forced.
    const page = pageOn(db, 3_600_000, 3_600_000, 3_600_000);
    const server = await served(page);
    try {
      await page.refresh();
      const first = 'Payments declined';
      await declareIncident(ctx, { name: first, body: 'Investigating.', components: {} });
      const rendering = page.refresh();
      page.requestRefresh();
      await rendering;
      assert.ok((await server.get('/', {})).body.toString().includes(first), 'the page shows the change');
      assert.ok(
        !(await server.get('/fr', {})).body.toString().includes(first),
        'the French page waits: another change was asked for',
      );
      assert.equal((await server.get('/fr', {})).status, 200);
      await page.refresh();
      assert.ok(
        (await server.get('/fr', {})).body.toString().includes(first),
        'and follows when none is waiting',
      );
    } finally {
      page.close();
      await server.close();
    }
  },
);
