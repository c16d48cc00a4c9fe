/**
 * SQLite refusing writes: the disk full (its page budget reached, through
 * PRAGMA max_page_count), the database read-only (PRAGMA query_only, which
 * fails writes with the same SQLITE_READONLY a read-only file does), and the
 * write lock held by another connection (SQLITE_BUSY). Each write answers
 * 503 `database_unavailable` with Retry-After, changes nothing, and the log
 * names the cause; /readyz answers 503 saying the database cannot be written,
 * and both come back once the database can be written again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, test } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pino from 'pino';
import { type App, createApp } from '../../src/app.ts';
import { createToken } from '../../src/services/tokens/tokens.ts';
import { openTestDb, type TestDb, testConfig, testCtx } from '../helpers/db.ts';

let dir: string;
let t: TestDb;
let app: App;
let auth: { authorization: string };
let logs: string[];

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-sqlite-faults-'));
  t = await openTestDb({ name: 'sqlite', url: `sqlite:${path.join(dir, 'crier.db')}` });
  logs = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  app = await createApp(testConfig(), { db: t.db, timers: false, log: pino({ level: 'info' }, sink) });
  const token = await createToken(testCtx(t.db), { name: 'admin', role: 'admin' });
  auth = { authorization: `Bearer ${token.token}` };
});

afterEach(async () => {
  await app.close();
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function addComponent(name: string) {
  return app.server.inject({ method: 'POST', url: '/api/v1/components', headers: auth, payload: { name } });
}

async function names(): Promise<string[]> {
  return (await t.db.selectFrom('components').select('name').execute()).map((r) => r.name);
}

async function readyz(): Promise<{ status: number; database: string }> {
  const res = await app.server.inject({ method: 'GET', url: '/readyz' });
  return { status: res.statusCode, database: res.json().checks.database };
}

function assertUnavailable(res: Awaited<ReturnType<typeof addComponent>>, cause: RegExp): void {
  assert.equal(res.statusCode, 503, res.body);
  assert.equal(res.json().error.code, 'database_unavailable');
  assert.ok(Number(res.headers['retry-after']) > 0, 'Retry-After');
  const said = logs.filter((l) => l.includes('the database is unavailable')).join('\n');
  assert.match(said, cause, 'the log names the cause');
  assert.doesNotMatch(logs.join('\n'), /cannot rollback/);
}

test('a full disk: 503 naming SQLITE_FULL, nothing half written, ready again once there is room', async () => {
  const pages = (await sql<{ n: number }>`select page_count as n from pragma_page_count`.execute(t.db))
    .rows[0];
  await sql.raw(`pragma max_page_count = ${pages?.n ?? 1}`).execute(t.db);
  // Writes fill what room is left on the pages there are; then one needs a page and fails.
  let full: Awaited<ReturnType<typeof addComponent>> | undefined;
  let name = '';
  for (let i = 0; i < 500 && !full; i++) {
    name = `Component ${i} ${'x'.repeat(200)}`;
    const res = await addComponent(name);
    assert.ok(res.statusCode === 201 || res.statusCode === 503, `${res.statusCode}: ${res.body}`);
    if (res.statusCode === 503) full = res;
  }
  assert.ok(full, 'the page budget ran out');
  assertUnavailable(full, /SQLITE_FULL/);
  assert.ok(!(await names()).includes(name), 'the refused write left nothing behind');
  const audit = await t.db.selectFrom('audit_log').select('after').execute();
  assert.ok(!audit.some((a) => a.after?.includes(name)), 'nor an audit entry');

  const ready = await readyz();
  assert.equal(ready.status, 503);
  assert.match(ready.database, /^cannot write: SQLITE_FULL/);

  await sql.raw('pragma max_page_count = 1073741823').execute(t.db);
  assert.equal((await readyz()).status, 200);
  assert.equal((await addComponent('After')).statusCode, 201);
});

test('a read-only database: 503 naming SQLITE_READONLY, and /readyz says it cannot be written', async () => {
  await sql`pragma query_only = on`.execute(t.db);
  const res = await addComponent('Refused');
  assertUnavailable(res, /SQLITE_READONLY/);
  const ready = await readyz();
  assert.equal(ready.status, 503);
  assert.match(ready.database, /^cannot write: SQLITE_READONLY/);
  await sql`pragma query_only = off`.execute(t.db);
  assert.deepEqual(await names(), []);
  assert.equal((await readyz()).status, 200);
  assert.equal((await addComponent('After')).statusCode, 201);
});

test('the write lock held by another connection: 503 naming SQLITE_BUSY; ready once it lets go', async () => {
  const other = new SqliteDatabase(path.join(dir, 'crier.db'));
  try {
    other.exec('begin immediate');
    const ready = await readyz();
    assert.equal(ready.status, 503);
    assert.match(ready.database, /^cannot write: SQLITE_BUSY/);
    // Waits out the busy timeout (5 s), then gives up rather than hang.
    const res = await addComponent('Refused');
    assertUnavailable(res, /SQLITE_BUSY/);
    other.exec('rollback');
    assert.deepEqual(await names(), []);
    assert.equal((await readyz()).status, 200);
    assert.equal((await addComponent('After')).statusCode, 201);
  } finally {
    if (other.inTransaction) other.exec('rollback');
    other.close();
  }
});
